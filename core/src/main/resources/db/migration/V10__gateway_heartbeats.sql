-- Gatehouse schema, version 10: each running gateway says it is alive (issue #28).
--
-- Every gateway upserts its own row every few seconds (gateway/.../management/ReplicaHeartbeat); the operator console
-- lists the replicas seen recently. One row per gateway process, by a random id it picks at start: a restarted
-- gateway is a new row, and rows not seen for a day are deleted by the next heartbeat of any replica. No trigger: a
-- heartbeat decides no policy. (Version 9 is another change's; Flyway applies whichever it finds pending, in order.)

CREATE TABLE gateway_heartbeats (
    instance_id text        PRIMARY KEY CHECK (length(instance_id) BETWEEN 1 AND 64),
    host_name   text        NOT NULL,
    version     text        NOT NULL,
    listening   text        NOT NULL,
    started_at  timestamptz NOT NULL,
    seen_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gateway_heartbeats_seen_idx ON gateway_heartbeats (seen_at);
