// The account security page (/account/security): sign in (two steps), turn on
// authenticator app codes (QR code rendered by the server as SVG), see the recovery codes
// once, register, rename and remove passkeys. Talks to /graphql like any client.
"use strict";
const text = JSON.parse(document.getElementById("messages").textContent);
const lang = document.documentElement.lang || "en";
const $ = (id) => document.getElementById(id);
let session = null;

function problem(message) { $("problem").textContent = message; $("problem").hidden = false; }
async function call(query, variables) {
  $("problem").hidden = true;
  const res = await twoStep.gql(query, variables, session);
  if (res.errors) { problem(res.errors[0].message); return null; }
  const payload = Object.values(res.data)[0];
  if (payload && payload.userErrors && payload.userErrors.length) { problem(payload.userErrors[0].message); return null; }
  return payload;
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("problem").hidden = true;
  $("login-form").hidden = true;
  let login;
  try {
    login = await twoStep.signIn($("email").value, $("password").value);
  } catch (e) { $("login-form").hidden = false; problem(e.message || text.unreachable); return; }
  if (login.mustChangePassword) { $("login-form").hidden = false; problem(text.temporaryPassword); return; }
  session = login.token;
  await refresh();
  $("account").hidden = false;
});

async function refresh() {
  const viewer = await call(`{ viewer { user { email mfaMethods passkeys { id name createdAt lastUsedAt } } } }`, {});
  if (!viewer) return;
  const user = viewer.user;
  $("signed-in-as").textContent = user.email;
  $("methods").textContent = user.mfaMethods.map((m) => text.methods[m] || m).join(", ") || text.none;
  const totp = user.mfaMethods.includes("TOTP");
  $("totp-on").hidden = !totp;
  $("totp-enroll").hidden = totp || !$("totp-confirm").hidden;
  const list = $("passkeys");
  list.replaceChildren();
  for (const p of user.passkeys) {
    const item = document.createElement("li");
    const name = document.createElement("input");
    name.value = p.name;
    name.maxLength = 100;
    name.setAttribute("aria-label", text.rename);
    const when = document.createElement("span");
    when.className = "muted";
    when.textContent = " " + (p.lastUsedAt ? text.used + " " + new Date(p.lastUsedAt).toLocaleString(lang) : text.never) + " ";
    const rename = document.createElement("button");
    rename.type = "button";
    rename.className = "secondary";
    rename.textContent = text.rename;
    rename.onclick = async () => {
      if (await call(`mutation($i: RenamePasskeyInput!) { renamePasskey(input: $i) { passkey { id } userErrors { message } } }`,
        { i: { passkeyId: p.id, name: name.value } })) await refresh();
    };
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary";
    remove.textContent = text.remove;
    remove.onclick = async () => {
      if (await call(`mutation($id: ID!) { removePasskey(input: {passkeyId: $id}) { success userErrors { message } } }`, { id: p.id })) await refresh();
    };
    item.append(name, when, rename, remove);
    list.append(item);
  }
}

$("totp-enroll").addEventListener("click", async () => {
  const e = await call(`mutation { enrollTotp { otpauthUri secret qrCodeSvg userErrors { message } } }`, {});
  if (!e) return;
  // The server renders the QR code; a data: image needs no inline script or style.
  $("totp-qr").src = "data:image/svg+xml;base64," + btoa(e.qrCodeSvg);
  $("totp-secret").textContent = e.secret;
  $("totp-enroll").hidden = true;
  $("totp-confirm").hidden = false;
  $("totp-code").focus();
});

$("totp-confirm").addEventListener("submit", async (event) => {
  event.preventDefault();
  const c = await call(`mutation($code: String!) { confirmTotp(input: {code: $code}) { recoveryCodes userErrors { message } } }`,
    { code: $("totp-code").value.trim() });
  if (!c) return;
  $("totp-confirm").hidden = true;
  const codes = $("recovery-codes");
  codes.replaceChildren(...c.recoveryCodes.map((code) => {
    const li = document.createElement("li");
    const el = document.createElement("code");
    el.textContent = code;
    li.append(el);
    return li;
  }));
  $("recovery").hidden = false;
  await refresh();
});

$("passkey-add").addEventListener("submit", async (event) => {
  event.preventDefault();
  const begun = await call(`mutation { beginPasskeyRegistration { options userErrors { message } } }`, {});
  if (!begun) return;
  let credential;
  try {
    const publicKey = twoStep.publicKeyOptions(begun.options);
    credential = await navigator.credentials.create({ publicKey });
  } catch (e) { problem(String(e.message || e)); return; }
  const done = await call(`mutation($i: FinishPasskeyRegistrationInput!) { finishPasskeyRegistration(input: $i) {
      passkey { id } userErrors { message } } }`,
    { i: { name: $("passkey-name").value, credential: twoStep.credentialJson(credential) } });
  if (done) { $("passkey-name").value = ""; await refresh(); }
});
