-- Run once by the postgres image, on its first start with an empty data volume
-- (/docker-entrypoint-initdb.d). To start again from nothing: docker compose down --volumes.
-- fleet: the services' projections, dedupe records and outboxes (one schema per processor).
CREATE DATABASE fleet;
-- fleet_registry: Apicurio Registry's tables (it creates them itself), as `infra up` does natively.
CREATE DATABASE fleet_registry;
