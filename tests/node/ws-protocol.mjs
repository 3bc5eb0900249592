// Drives the graphql-ws client (graphql-transport-ws) against a running server's
// /graphql/ws and prints, as one JSON object, what the client saw in each scenario.
// Run by tests/tests/e2e/events/protocol.rs:
//   node ws-protocol.mjs <node_modules dir> <ws url> <token> <suspended token>
import { createRequire } from "node:module";
import { join } from "node:path";

const [modules, url, token, suspendedToken] = process.argv.slice(2);
const require = createRequire(join(modules, "node_modules", "noop.js"));
// The client alone: the package's index also loads its server, which needs `graphql`.
const { createClient } = require(join(modules, "node_modules", "graphql-ws", "lib", "client.js"));
const WebSocket = require("ws");

function client(bearer, extra = {}) {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${bearer}` },
    retryAttempts: 0,
    shouldRetry: () => false,
    ...extra,
  });
}

// What a close event, an `error` message's errors or anything else looks like in JSON.
function describe(error) {
  if (Array.isArray(error)) return { errors: error };
  if (error && typeof error.code === "number") {
    return { close: { code: error.code, reason: String(error.reason) } };
  }
  return { other: String((error && error.message) || error) };
}

// Runs one operation: every `next` result, then how it ended (`complete` or `error`).
function run(c, payload) {
  return new Promise((resolve) => {
    const results = [];
    c.subscribe(payload, {
      next: (result) => results.push(result),
      error: (error) => resolve({ ended: "error", results, ...describe(error) }),
      complete: () => resolve({ ended: "complete", results }),
    });
  });
}

async function scenario(name, body) {
  try {
    return [name, await body()];
  } catch (e) {
    return [name, { thrown: String(e && e.stack || e) }];
  }
}

const deep = "{".repeat(70) + "}".repeat(70);
const scenarios = [
  scenario("query", async () => {
    const c = client(token);
    try {
      return await run(c, { query: "query Me { viewer { user { email } } }" });
    } finally {
      await c.dispose();
    }
  }),
  scenario("mutation", async () => {
    const c = client(token);
    try {
      return await run(c, {
        query: `mutation { updateViewerPreferences(input: {preferredLanguage: "zh-TW"}) {
          user { preferredLanguage } userErrors { code } } }`,
      });
    } finally {
      await c.dispose();
    }
  }),
  scenario("invalid", async () => {
    const c = client(token);
    try {
      return await run(c, { query: "subscription { events { nope } }" });
    } finally {
      await c.dispose();
    }
  }),
  scenario("unparsable", async () => {
    const c = client(token);
    try {
      return await run(c, { query: "subscription { events { id" });
    } finally {
      await c.dispose();
    }
  }),
  scenario("guarded", async () => {
    const c = client(token);
    try {
      return await run(c, { query: deep });
    } finally {
      await c.dispose();
    }
  }),
  scenario("suspended", async () => {
    const c = client(suspendedToken);
    try {
      const mutation = await run(c, {
        query: `mutation { requestPartnership(input: {resellerEmail: "x@fabrikam.test"}) {
          userErrors { code } } }`,
      });
      const query = await run(c, { query: "{ viewer { user { email } } }" });
      return { mutation, query };
    } finally {
      await c.dispose();
    }
  }),
  scenario("duplicate", async () => {
    const c = client(token, { generateID: () => "same-id" });
    try {
      const events = { query: "subscription { events { id } }" };
      const first = run(c, events);
      const second = run(c, events);
      return await Promise.all([first, second]);
    } finally {
      await c.dispose();
    }
  }),
  scenario("refused", async () => {
    const c = client("not-a-token");
    try {
      return await run(c, { query: "{ viewer { user { email } } }" });
    } finally {
      await c.dispose();
    }
  }),
];

const results = Object.fromEntries(await Promise.all(scenarios));
process.stdout.write(JSON.stringify(results));
// Sockets closing in the background must not keep the process alive.
process.exit(0);
