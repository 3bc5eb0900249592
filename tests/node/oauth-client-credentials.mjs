// A standard OAuth 2.0 client library, unchanged, against POST /oauth/token: simple-oauth2's
// client-credentials grant (HTTP Basic, form body), then the token as a bearer on /graphql.
// Run by tests/tests/e2e/api_clients/oauth.rs with: <server> <client id> <secret> <scope>.
import { ClientCredentials } from 'simple-oauth2';

const [server, id, secret, scope] = process.argv.slice(2);
const client = new ClientCredentials({
  client: { id, secret },
  auth: { tokenHost: server, tokenPath: '/oauth/token' },
});
const token = await client.getToken({ scope });
const response = await fetch(`${server}/graphql`, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    authorization: `Bearer ${token.token.access_token}`,
  },
  body: JSON.stringify({ query: '{ currentApiClient { name scopes } }' }),
});
let wrong;
try {
  await new ClientCredentials({
    client: { id, secret: 'pcs_wrong' },
    auth: { tokenHost: server, tokenPath: '/oauth/token' },
  }).getToken({});
} catch (error) {
  wrong = { status: error.output?.statusCode, error: error.data?.payload?.error };
}
console.log(
  JSON.stringify({
    token: { ...token.token, access_token: undefined, expires_at: undefined },
    graphql: await response.json(),
    wrong,
  }),
);
