// The partnership invitation landing page (/invitations/accept?token=…).
"use strict";
// The page's words, in its language, rendered by the server from the message files.
const text = JSON.parse(document.getElementById("messages").textContent);
const lang = document.documentElement.lang || "en";
const token = new URLSearchParams(location.search).get("token") || "";
let session = null;
const $ = (id) => document.getElementById(id);
const show = (id, on = true) => { $(id).hidden = !on; };

async function gql(query, variables, bearer) {
  // Errors come back in the page's language.
  const headers = { "content-type": "application/json", "accept-language": lang };
  if (bearer) headers.authorization = "Bearer " + bearer;
  const res = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return res.json();
}

function problem(message) { $("problem").textContent = message; show("problem"); }

async function loadInvitation() {
  if (!token) { show("loading", false); problem(text.noToken); return; }
  const res = await gql(`query($token: String!) { invitationByToken(token: $token) {
      providerName providerPartnerNetworkId status expiresAt } }`, { token });
  show("loading", false);
  const inv = res.data && res.data.invitationByToken;
  if (!inv) { problem(text.notValid); return; }
  $("provider-name").textContent = inv.providerName;
  $("provider-id").textContent = text.partnerId.replace("{id}", inv.providerPartnerNetworkId);
  $("status").textContent = text.status[inv.status] || inv.status;
  $("expires").textContent = new Date(inv.expiresAt).toLocaleString(lang);
  show("details");
  if (inv.status === "PENDING") { show("login-form"); }
  else { problem(text[inv.status] || text.unusable); }
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  show("problem", false);
  show("login-form", false);
  let login;
  try {
    login = await twoStep.signIn($("email").value, $("password").value);
  } catch (e) { show("login-form"); problem(e.message); return; }
  if (login.mustChangePassword) { show("login-form"); problem(text.temporaryPassword); return; }
  session = login.token;
  $("signed-in-as").textContent = login.user.email;
  show("login-form", false);
  show("answer");
});

async function respond(accept) {
  show("problem", false);
  const mutation = accept
    ? `mutation($token: String!) { acceptPartnershipInvitation(input: {token: $token}) {
         partnership { provider { companyName } } userErrors { code message } } }`
    : `mutation($token: String!) { declinePartnershipInvitation(input: {token: $token}) {
         declined userErrors { code message } } }`;
  const res = await gql(mutation, { token }, session);
  if (res.errors) { problem(res.errors[0].message); return; }
  const payload = accept ? res.data.acceptPartnershipInvitation : res.data.declinePartnershipInvitation;
  if (payload.userErrors.length) { problem(payload.userErrors[0].message); return; }
  show("answer", false);
  show("result");
  $("status").textContent = text.status[accept ? "ACCEPTED" : "DECLINED"];
  if (!accept) { $("result-message").textContent = text.youDeclined; return; }
  $("result-message").textContent = text.nowPartners.replace("{provider}", payload.partnership.provider.companyName);
  const list = await gql(`{ indirectProviders(first: 50, filter: {status: ACTIVE}) {
      edges { node { provider { companyName } createdAt } } } }`, {}, session);
  const ul = $("partner-list");
  for (const edge of (list.data ? list.data.indirectProviders.edges : [])) {
    const li = document.createElement("li");
    li.textContent = edge.node.provider.companyName;
    ul.appendChild(li);
  }
  show("partners");
}
$("accept").addEventListener("click", () => respond(true));
$("decline").addEventListener("click", () => respond(false));
loadInvitation().catch(() => problem(text.unreachable));
