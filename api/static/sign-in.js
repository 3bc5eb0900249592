// Two-step sign-in, shared by the server's pages (landing pages, /account/security): the
// password, then, for a user holding a second factor, a code, a recovery code or a passkey,
// in the page (the form is templates/_second_step.html). Talks to /graphql like any client.
"use strict";
window.twoStep = (function () {
  const lang = document.documentElement.lang || "en";
  const $ = (id) => document.getElementById(id);

  async function gql(query, variables, bearer) {
    // Errors come back in the page's language.
    const headers = { "content-type": "application/json", "accept-language": lang };
    if (bearer) headers.authorization = "Bearer " + bearer;
    const res = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    return res.json();
  }

  // base64url <-> bytes, for WebAuthn's binary fields.
  function fromB64(s) {
    const b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
    return Uint8Array.from(b, (c) => c.charCodeAt(0)).buffer;
  }
  function toB64(buf) {
    let s = "";
    new Uint8Array(buf).forEach((b) => { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  // A credential from navigator.credentials, as JSON with base64url fields.
  function credentialJson(c) {
    const r = c.response;
    const response = { clientDataJSON: toB64(r.clientDataJSON) };
    if (r.attestationObject) response.attestationObject = toB64(r.attestationObject);
    if (r.authenticatorData) response.authenticatorData = toB64(r.authenticatorData);
    if (r.signature) response.signature = toB64(r.signature);
    if (r.userHandle) response.userHandle = toB64(r.userHandle);
    return { id: c.id, rawId: toB64(c.rawId), type: c.type, response, extensions: {} };
  }
  // Options from the server (`{publicKey: …}` with base64url fields) for navigator.credentials.
  function publicKeyOptions(options) {
    const pk = Object.assign({}, options.publicKey);
    pk.challenge = fromB64(pk.challenge);
    if (pk.user) pk.user = Object.assign({}, pk.user, { id: fromB64(pk.user.id) });
    for (const key of ["allowCredentials", "excludeCredentials"]) {
      if (pk[key]) pk[key] = pk[key].map((c) => Object.assign({}, c, { id: fromB64(c.id) }));
    }
    return pk;
  }

  const LOGIN = `mutation($email: String!, $password: String!) { login(input: {email: $email, password: $password}) {
      token mustChangePassword user { email } mfaChallenge { token methods } userErrors { message } } }`;
  const VERIFY = `mutation($input: VerifyMfaInput!) { verifyMfa(input: $input) {
      token user { email mustChangePassword } userErrors { message } } }`;

  // Resolves with `{ token, mustChangePassword, user: { email } }`; rejects with an Error
  // whose message is for the reader.
  async function signIn(email, password) {
    const res = await gql(LOGIN, { email, password });
    if (res.errors) throw new Error(res.errors[0].message);
    const l = res.data.login;
    if (l.userErrors.length) throw new Error(l.userErrors[0].message);
    if (!l.mfaChallenge) return l;
    return secondStep(l.mfaChallenge);
  }

  function secondStep(challenge) {
    const form = $("mfa-form");
    const problem = (m) => { $("mfa-problem").textContent = m; $("mfa-problem").hidden = false; };
    form.hidden = false;
    $("mfa-passkey").hidden = !challenge.methods.includes("PASSKEY") || !window.PublicKeyCredential;
    $("mfa-code").focus();
    return new Promise((resolve) => {
      async function verify(input) {
        $("mfa-problem").hidden = true;
        input.challengeToken = challenge.token;
        const res = await gql(VERIFY, { input });
        if (res.errors) { problem(res.errors[0].message); return; }
        const v = res.data.verifyMfa;
        if (v.userErrors.length) { problem(v.userErrors[0].message); return; }
        form.hidden = true;
        resolve({ token: v.token, mustChangePassword: v.user.mustChangePassword, user: v.user });
      }
      form.onsubmit = (event) => {
        event.preventDefault();
        const value = $("mfa-code").value.trim();
        // Six digits are an authenticator code; anything else is taken as a recovery code.
        const isCode = /^\d{6}$/.test(value.replace(/\s/g, ""));
        verify(isCode ? { code: value } : { recoveryCode: value });
      };
      $("mfa-passkey").onclick = async () => {
        const begun = await gql(`mutation($t: String!) { beginPasskeySignIn(input: {challengeToken: $t}) {
            options userErrors { message } } }`, { t: challenge.token });
        const b = begun.data && begun.data.beginPasskeySignIn;
        if (!b || b.userErrors.length) { problem(b ? b.userErrors[0].message : begun.errors[0].message); return; }
        try {
          const credential = await navigator.credentials.get({ publicKey: publicKeyOptions(b.options) });
          verify({ passkeyAssertion: credentialJson(credential) });
        } catch (e) { problem(String(e.message || e)); }
      };
    });
  }

  return { gql, signIn, credentialJson, publicKeyOptions };
})();
