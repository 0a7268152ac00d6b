// Validates an AsyncAPI document with the official parser (and its Avro schema parser).
// Usage: node validate.mjs DOCUMENT NODE_MODULES_DIR   (a JSON document; YAML is converted first)
// Prints the diagnostics as JSON on stdout; exits 1 if any is an error, 2 on bad usage.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const [document, modules] = process.argv.slice(2);
if (!document || !modules) {
  console.error("usage: node validate.mjs DOCUMENT NODE_MODULES_DIR");
  process.exit(2);
}
const require = createRequire(join(modules, "noop.js"));
const { Parser, DiagnosticSeverity } = require("@asyncapi/parser");
const { AvroSchemaParser } = require("@asyncapi/avro-schema-parser");
const avro = require("avsc");

const parser = new Parser();
parser.registerSchemaParser(AvroSchemaParser());
const { document: parsed, diagnostics } = await parser.parse(readFileSync(document, "utf8"));
const report = diagnostics.map((d) => ({
  severity: Object.keys(DiagnosticSeverity).find((k) => DiagnosticSeverity[k] === d.severity),
  code: d.code,
  message: d.message,
  path: d.path.join("/"),
}));
// The parser does not check Avro payloads itself: parse each one with avsc, as a Java or
// .NET reader would parse the registered schema.
const raw = JSON.parse(readFileSync(document, "utf8"));
for (const [id, message] of Object.entries(raw.components?.messages ?? {})) {
  const payload = message.payload ?? {};
  if (!String(payload.schemaFormat ?? "").startsWith("application/vnd.apache.avro")) continue;
  try {
    avro.Type.forSchema(payload.schema);
  } catch (error) {
    report.push({ severity: "Error", code: "invalid-avro", message: String(error.message),
                  path: `components/messages/${id}/payload/schema` });
  }
}
const errors = report.filter((d) => d.severity === "Error");
console.log(JSON.stringify({ parsed: parsed !== undefined, errors: errors.length, diagnostics: report }));
process.exit(errors.length || parsed === undefined ? 1 : 0);
