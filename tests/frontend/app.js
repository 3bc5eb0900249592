// The frontend: sign in with a urql mutation, list offers, then follow the organization's
// events live over graphql-ws (urql's subscriptionExchange). The API's address and the
// login come from the query string: ?api=http://127.0.0.1:8080&email=…&password=…
import { Client, fetchExchange, subscriptionExchange, gql } from "@urql/core";
import { createClient as createWsClient } from "graphql-ws";

const params = new URLSearchParams(location.search);
const api = params.get("api");
let token = null;

const show = (id, text) => {
  document.getElementById(id).textContent = text;
};
const item = (list, text) => {
  const li = document.createElement("li");
  li.textContent = text;
  document.getElementById(list).append(li);
};

const live = createWsClient({
  url: `${api.replace(/^http/, "ws")}/graphql/ws`,
  connectionParams: () => ({ Authorization: `Bearer ${token}` }),
  on: {
    connected: () => show("live", "connected"),
    closed: (event) => show("live", `closed ${event.code}`),
  },
});

const client = new Client({
  url: `${api}/graphql`,
  fetchOptions: () => (token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
  exchanges: [
    fetchExchange,
    subscriptionExchange({
      forwardSubscription(request) {
        const input = { ...request, query: request.query || "" };
        return {
          subscribe(sink) {
            return { unsubscribe: live.subscribe(input, sink) };
          },
        };
      },
    }),
  ],
});

const LOGIN = gql`
  mutation Login($email: String!, $password: String!) {
    login(input: { email: $email, password: $password }) {
      token
      userErrors { code message }
    }
  }
`;
const OFFERS = gql`
  query Offers {
    offers(first: 5) { totalCount edges { node { name sku } } }
  }
`;
const EVENTS = gql`
  subscription Events {
    events { type summary }
  }
`;

async function main() {
  const login = await client
    .mutation(LOGIN, { email: params.get("email"), password: params.get("password") })
    .toPromise();
  if (login.error) throw login.error;
  const payload = login.data.login;
  if (payload.userErrors.length) throw new Error(payload.userErrors[0].message);
  token = payload.token;
  show("signed-in", "yes");

  const offers = await client.query(OFFERS, {}).toPromise();
  if (offers.error) throw offers.error;
  show("offers-total", String(offers.data.offers.totalCount));
  for (const { node } of offers.data.offers.edges) item("offers", `${node.sku}: ${node.name}`);

  client.subscription(EVENTS, {}).subscribe((result) => {
    if (result.error) show("error", result.error.message);
    else item("events", `${result.data.events.type}: ${result.data.events.summary}`);
  });
}

main().catch((error) => show("error", String(error.message || error)));
