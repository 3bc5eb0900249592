// The GraphiQL page of the Partner Center API: GraphiQL (served by this server, see
// api/build.rs) over POST /graphql for queries and mutations, and graphql-ws over
// /graphql/ws for subscriptions, both with the Authorization header of the Headers tab.
"use strict";

const WELCOME = `# Welcome to the Partner Center API.
#
# 1. Sign in: run the mutation below. Demo accounts,
#    password "demo-password":
#      provider@demo.test   reseller1@demo.test
#      reseller2@demo.test  platform@demo.test
# 2. Put the token into the Headers tab below:
#      { "Authorization": "Bearer <the token>" }
# 3. Run queries and mutations. Subscriptions use the
#    same header, over WebSocket; in a new tab try:
#      subscription { events { type summary } }
#
# The Docs pane (book icon, top left) explains every
# type, field and error code.

mutation SignIn {
  login(input: {email: "provider@demo.test", password: "demo-password"}) {
    token
    expiresAt
    userErrors { code message }
  }
}
`;

const http = GraphiQL.createFetcher({ url: "/graphql" });

function authorization(headers) {
  if (!headers) return null;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === "authorization") return String(headers[key]);
  }
  return null;
}

// One WebSocket client per Authorization value: a new token means a new connection.
let socket = null;
let socketAuth = undefined;
function subscriptions(auth) {
  if (!socket || socketAuth !== auth) {
    if (socket) socket.dispose();
    socketAuth = auth;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = graphqlWs.createClient({
      url: `${scheme}//${location.host}/graphql/ws`,
      connectionParams: auth ? { Authorization: auth } : {},
      lazy: true,
    });
  }
  return socket;
}

function isSubscription(params, options) {
  const document = options && options.documentAST;
  if (!document) return /^\s*subscription\b/m.test(params.query || "");
  const operations = document.definitions.filter((d) => d.kind === "OperationDefinition");
  const chosen = params.operationName
    ? operations.find((o) => o.name && o.name.value === params.operationName)
    : operations[0];
  return Boolean(chosen && chosen.operation === "subscription");
}

function fetcher(params, options) {
  if (!isSubscription(params, options)) return http(params, options);
  const client = subscriptions(authorization(options && options.headers));
  return client.iterate({
    query: params.query,
    variables: params.variables,
    operationName: params.operationName,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: WELCOME,
    defaultHeaders: "{}",
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
  }),
);
