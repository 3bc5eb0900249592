// The admin relationship approval page (/admin-relationships/approve?token=…): sign in,
// see who asks for which roles and how long, approve or decline.
"use strict";
// The page's words, in its language, rendered by the server from the message files.
const text = JSON.parse(document.getElementById("messages").textContent);
const lang = document.documentElement.lang || "en";
const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
let bearer = "";
async function gql(query, variables) {
  // Errors come back in the page's language.
  const headers = { "content-type": "application/json", "accept-language": lang };
  if (bearer) headers.authorization = "Bearer " + bearer;
  return (await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) })).json();
}
function problem(message) { $("problem").textContent = message; $("problem").hidden = false; }
if (!token) { problem(text.noToken); }
$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("problem").hidden = true;
  try { await signIn(); } catch (e) { problem(text.unreachable); }
});
async function signIn() {
  const login = await gql(`mutation($email: String!, $password: String!) { login(input: {email: $email, password: $password}) { token mustChangePassword userErrors { message } } }`,
    { email: $("email").value, password: $("password").value });
  const l = login.data && login.data.login;
  if (!l || l.userErrors.length) { problem(l ? l.userErrors[0].message : text.signInFailed); return; }
  if (l.mustChangePassword) { problem(text.temporaryPassword); return; }
  bearer = l.token;
  const res = await gql(`query($token: String!) { adminRelationshipByToken(token: $token) {
      roles durationDays provider { companyName } reseller { companyName } } }`, { token });
  if (res.errors) { problem(res.errors[0].message); return; }
  const r = res.data.adminRelationshipByToken;
  $("summary").textContent = text.summary.replace("{provider}", r.provider.companyName)
    .replace("{reseller}", r.reseller.companyName).replace("{days}", r.durationDays);
  $("roles").textContent = r.roles.join(", ");
  $("login-form").hidden = true;
  $("details").hidden = false;
  $("approve").onclick = () => answer("approveAdminRelationship", text.approved.replace("{reseller}", r.reseller.companyName));
  $("decline").onclick = () => answer("declineAdminRelationship", text.declined);
}
async function answer(mutation, done) {
  $("problem").hidden = true;
  try {
    const res = await gql(`mutation($token: String!) { ${mutation}(input: {token: $token}) {
        relationship { status } userErrors { message } } }`, { token });
    if (res.errors) { problem(res.errors[0].message); return; }
    const p = res.data[mutation];
    if (p.userErrors.length) { problem(p.userErrors[0].message); return; }
    $("details").hidden = true;
    $("result").textContent = done;
    $("result").hidden = false;
  } catch (e) { problem(text.unreachable); }
}
