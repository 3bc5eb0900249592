// Runs graphql-http's server audits (the GraphQL over HTTP specification's reference
// suite) against the URL given as the first argument and prints one JSON array of
// {id, name, status, reason}. Run by tests/tests/e2e/hardening/conformance.rs.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
console.log(
  JSON.stringify(
    results.map((r) => ({ id: r.id, name: r.name, status: r.status, reason: r.reason ?? null })),
  ),
);
