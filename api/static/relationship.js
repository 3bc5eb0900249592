// The customer relationship landing page (/customer-relationships/accept?token=…).
"use strict";
const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
async function gql(query, variables, bearer) {
  const headers = { "content-type": "application/json" };
  if (bearer) headers.authorization = "Bearer " + bearer;
  return (await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) })).json();
}
function problem(text) { $("problem").textContent = text; $("problem").hidden = false; }
$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("problem").hidden = true;
  const login = await gql(`mutation($email: String!, $password: String!) { login(input: {email: $email, password: $password}) { token mustChangePassword userErrors { message } } }`,
    { email: $("email").value, password: $("password").value });
  const l = login.data && login.data.login;
  if (!l || l.userErrors.length) { problem(l ? l.userErrors[0].message : "Sign-in failed."); return; }
  if (l.mustChangePassword) { problem("Change your temporary password first, then open this link again."); return; }
  const res = await gql(`mutation($token: String!) { acceptCustomerResellerRelationship(input: {token: $token}) {
      customer { indirectReseller { companyName } } userErrors { message } } }`, { token }, l.token);
  if (res.errors) { problem(res.errors[0].message); return; }
  const p = res.data.acceptCustomerResellerRelationship;
  if (p.userErrors.length) { problem(p.userErrors[0].message); return; }
  $("login-form").hidden = true;
  $("result").textContent = p.customer.indirectReseller.companyName + " now administers your subscriptions.";
  $("result").hidden = false;
});
