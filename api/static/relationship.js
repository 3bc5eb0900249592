// The customer relationship landing page (/customer-relationships/accept?token=…).
"use strict";
// The page's words, in its language, rendered by the server from the message files.
const text = JSON.parse(document.getElementById("messages").textContent);
const lang = document.documentElement.lang || "en";
const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
async function gql(query, variables, bearer) {
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
  try { await accept(); } catch (e) { problem(text.unreachable); }
});
async function accept() {
  $("login-form").hidden = true;
  let l;
  try {
    l = await twoStep.signIn($("email").value, $("password").value);
  } catch (e) { $("login-form").hidden = false; problem(e.message || text.signInFailed); return; }
  if (l.mustChangePassword) { $("login-form").hidden = false; problem(text.temporaryPassword); return; }
  const res = await gql(`mutation($token: String!) { acceptCustomerResellerRelationship(input: {token: $token}) {
      customer { indirectReseller { companyName } } userErrors { message } } }`, { token }, l.token);
  if (res.errors) { problem(res.errors[0].message); return; }
  const p = res.data.acceptCustomerResellerRelationship;
  if (p.userErrors.length) { problem(p.userErrors[0].message); return; }
  $("login-form").hidden = true;
  $("result").textContent = text.done.replace("{reseller}", p.customer.indirectReseller.companyName);
  $("result").hidden = false;
}
