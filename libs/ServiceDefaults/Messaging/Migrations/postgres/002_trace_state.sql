-- The W3C tracestate that goes with traceparent (vendor trace data), carried on as the CloudEvents
-- distributed-tracing extension attribute alongside traceparent.
ALTER TABLE outbox ADD COLUMN tracestate TEXT NULL;
