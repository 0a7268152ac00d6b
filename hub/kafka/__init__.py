"""Small aiokafka helpers shared by the gateway, replay, tail and tools."""
