// Test-only OpenID Connect provider built on panva's `oidc-provider` (pinned 9.13.3).
// Usage: node oidc_provider.mjs CONFIG.json
// CONFIG: {"port": 0 | N, "clients": [{client_id, client_secret, redirect_uris: [...]}],
//          "users": {"alice": {"email": "alice@example.com", "name": "Alice"}}}
// Binds 127.0.0.1 only; prints one line `OIDC_READY http://127.0.0.1:<port>` when listening.
// Pages are self-contained (no external fonts), so the browser never leaves 127.0.0.1.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider, { interactionPolicy } from 'oidc-provider';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const users = cfg.users || {};
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
  `<body style="font-family:sans-serif;max-width:24em;margin:3em auto">${body}</body></html>`;

// Streamlit's st.login() sends prompt=select_account by default; oidc-provider rejects prompts it
// does not know (invalid_request), so register it as a requestable prompt with no checks.
const policy = interactionPolicy.base();
policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);

const server = createServer();
server.listen(cfg.port || 0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  const provider = new Provider(issuer, {
    clients: cfg.clients.map((c) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic', // Authlib's default
      post_logout_redirect_uris: c.redirect_uris, // st.logout() sends /oauth2callback
      ...c,
    })),
    jwks: { keys: [{ ...signingKey, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    // Streamlit reads claims only from the ID token (Authlib's token["userinfo"]), never from the
    // userinfo endpoint, so put scope claims into the ID token of the code flow too.
    conformIdTokenClaims: false,
    async findAccount(ctx, sub) {
      const u = users[sub];
      if (!u) return undefined;
      return { accountId: sub, async claims() { return { sub, email_verified: true, preferred_username: sub, ...u }; } };
    },
    interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // Auto-confirm the sign-out (the form carries the CSRF token); a button stays as fallback.
        async logoutSource(ctx, form) {
          ctx.body = page('Sign out', `${form}<h1>Signing out...</h1>` +
            '<button type="submit" form="op.logoutForm" name="logout" value="yes" id="logout-yes">Sign out</button>' +
            '<script>var f=document.getElementById("op.logoutForm");var i=document.createElement("input");' +
            'i.type="hidden";i.name="logout";i.value="yes";f.appendChild(i);f.submit();</script>');
        },
        async postLogoutSuccessSource(ctx) { ctx.body = page('Signed out', '<h1>Signed out</h1>'); },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('OIDC error', `<h1>OIDC error</h1><pre id="oidc-error">${esc(JSON.stringify(out, null, 2))}</pre>`);
    },
  });

  const loginForm = (uid, error = '') => page('Sign in', `<h1>Test IdP sign-in</h1>${error ? `<p id="error">${esc(error)}</p>` : ''}
    <form method="post" action="/interaction/${esc(uid)}/login">
      <label>Username <input name="username" id="username" autofocus autocomplete="off"></label>
      <label>Password <input name="password" id="password" type="password"></label>
      <button type="submit" id="sign-in">Sign in</button>
    </form>`);

  async function finish(req, res, details, accountId) {
    // Auto-consent: grant every requested scope/claim to the (statically registered) client.
    const grant = details.grantId ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    if (details.params.claims) grant.addOIDCClaims(Object.keys(JSON.parse(details.params.claims).id_token || {}));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, {
      select_account: {}, login: { accountId }, consent: { grantId },
    }, { mergeWithLastSubmission: false });
  }

  async function interactions(req, res, uid, action) {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET' && !action) {
      if (details.prompt.name === 'consent' && details.session?.accountId) {
        return finish(req, res, details, details.session.accountId); // already signed in
      }
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      return res.end(loginForm(uid));
    }
    if (req.method === 'POST' && action === 'login') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const username = new URLSearchParams(body).get('username') || '';
      if (!users[username]) { // any password is accepted; the username must be a configured user
        res.statusCode = 200;
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        return res.end(loginForm(uid, `Unknown user "${username}"`));
      }
      return finish(req, res, details, username);
    }
    res.statusCode = 404;
    return res.end('not found');
  }

  const oidc = provider.callback();
  server.on('request', (req, res) => {
    const m = /^\/interaction\/([^/?]+)(?:\/([a-z]+))?/.exec(req.url);
    if (!m) return oidc(req, res);
    return interactions(req, res, m[1], m[2]).catch((err) => {
      console.error(err);
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(page('OIDC error', `<pre id="oidc-error">${esc(err.message)}</pre>`));
    });
  });
  console.log(`OIDC_READY ${issuer}`);
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
