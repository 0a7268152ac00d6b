"""The live side: the clock service and the Faust worker that adapt the domain to Kafka."""
