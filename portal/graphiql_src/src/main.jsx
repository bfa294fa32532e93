// GraphiQL for the Partner Portal: sign-in for staff, an API-key alternative, the explorer
// and the operations of frontend-contract/operations/ as tabs. Everything here is bundled
// by build.mjs and served by the portal itself (portal/graphiql.py); nothing loads from a
// CDN. The page's Content-Security-Policy forbids inline scripts, so this file is the
// bootstrap: it reads its configuration from a JSON data block in the page.
import './csp-nonce.js'; // first: gives run-time <style> elements the CSP nonce
import './monaco-env.js'; // second: Monaco's workers come from our own origin

import { explorerPlugin } from '@graphiql/plugin-explorer';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { Kind, parse } from 'graphql';
import { StrictMode, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';

import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './portal.css';

function readConfig() {
  const element = document.getElementById('portal-graphiql-config');
  try {
    return JSON.parse(element ? element.textContent : '{}');
  } catch {
    return {};
  }
}

const config = readConfig();
const graphqlPath = config.graphqlPath || '/graphql';
const operations = Array.isArray(config.operations) ? config.operations : [];
const plugins = [HISTORY_PLUGIN, explorerPlugin()];

// Every request carries the session cookie (same origin only) and the CSRF header that
// cookie-authenticated GraphQL requests need (portal/auth.py).
function sameOriginFetch(input, init = {}) {
  const headers = new Headers(init.headers || {});
  headers.set('X-Portal-CSRF', '1');
  return window.fetch(input, { ...init, headers, credentials: 'same-origin' });
}

// GraphiQL learns the operation name and document 100 ms after the editor changes (a
// debounce), so a Run right after switching tabs or typing can send the previous tab's
// operation name with the new document (the server rightly refuses it), or miss that the
// document is a subscription (which must go over the WebSocket). The text being sent
// decides instead.
function currentOperation(params, opts) {
  if (params.operationName === 'IntrospectionQuery') return [params, opts];
  let document;
  try {
    document = parse(params.query);
  } catch {
    return [params, opts]; // the server will say what is wrong with it
  }
  const names = document.definitions
    .filter((d) => d.kind === Kind.OPERATION_DEFINITION)
    .map((d) => (d.name ? d.name.value : undefined));
  const fixed = { ...opts, documentAST: document };
  if (names.length === 1 && !names.includes(params.operationName || undefined)) {
    return [{ ...params, operationName: names[0] ?? null }, fixed];
  }
  return [params, fixed];
}

function makeFetcher(apiKey) {
  const url = new URL(graphqlPath, window.location.href);
  const wsUrl = new URL(url);
  wsUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const authorization = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
  const fetcher = createGraphiQLFetcher({
    url: url.toString(),
    // graphql-transport-ws on the same URL. With an API key it goes in connection_init;
    // otherwise the browser sends the session cookie with the handshake.
    subscriptionUrl: wsUrl.toString(),
    wsConnectionParams: authorization,
    headers: authorization,
    fetch: sameOriginFetch,
  });
  return (params, opts = {}) => fetcher(...currentOperation(params, opts));
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

function SignInForm({ onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const response = await window.fetch('/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ email, password }),
      });
      const body = await readJson(response);
      if (!response.ok) {
        setError(body.error || `Sign-in failed (HTTP ${response.status}).`);
        return;
      }
      setPassword('');
      await onSignedIn();
    } catch {
      setError('The portal could not be reached.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="portal-form" id="portal-login" onSubmit={submit}>
      <input
        id="portal-email"
        type="email"
        autoComplete="username"
        placeholder="Staff email"
        aria-label="Staff email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <input
        id="portal-password"
        type="password"
        autoComplete="current-password"
        placeholder="Password"
        aria-label="Password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button id="portal-sign-in" type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {error ? (
        <span className="portal-error" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}

function ApiKeyForm({ onUse }) {
  const [value, setValue] = useState('');
  const submit = (event) => {
    event.preventDefault();
    const key = value.trim().replace(/^Bearer\s+/i, '');
    if (key) {
      onUse(key);
      setValue('');
    }
  };
  return (
    <form className="portal-form" id="portal-api-key" onSubmit={submit}>
      <input
        id="portal-api-key-input"
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="or use an API key (ppk_…)"
        aria-label="API key"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit">Use key</button>
    </form>
  );
}

function AccountBar({ session, checking, apiKey, onSignedIn, onSignOut, onApiKey }) {
  return (
    <header className="portal-bar">
      <span className="portal-title">
        Partner Portal <span className="portal-subtitle">GraphiQL</span>
      </span>
      <div className="portal-account" id="portal-account">
        {checking ? <span className="portal-muted">Checking sign-in…</span> : null}
        {!checking && session ? (
          <>
            <span id="portal-signed-in">
              Signed in as <strong>{session.actor}</strong>{' '}
              <span className="portal-role">{session.role}</span>
            </span>
            <button id="portal-sign-out" type="button" onClick={onSignOut}>
              Sign out
            </button>
          </>
        ) : null}
        {!checking && !session ? <SignInForm onSignedIn={onSignedIn} /> : null}
        {apiKey ? (
          <span id="portal-key-in-use">
            Using API key <code>{`${apiKey.slice(0, 10)}…`}</code>
            <button type="button" onClick={() => onApiKey('')}>
              Forget key
            </button>
          </span>
        ) : (
          !checking && <ApiKeyForm onUse={onApiKey} />
        )}
      </div>
    </header>
  );
}

function App() {
  const [session, setSession] = useState(null);
  const [checking, setChecking] = useState(true);
  // The key lives in memory only: it is gone when the tab is closed or reloaded.
  const [apiKey, setApiKey] = useState('');

  const refreshSession = useCallback(async () => {
    try {
      const response = await window.fetch('/auth/session', { credentials: 'same-origin' });
      setSession(response.ok ? await readJson(response) : null);
    } catch {
      setSession(null);
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    refreshSession();
  }, [refreshSession]);

  const signOut = useCallback(async () => {
    await window
      .fetch('/auth/logout', {
        method: 'POST',
        headers: { 'X-Portal-CSRF': '1' },
        credentials: 'same-origin',
      })
      .catch(() => undefined);
    await refreshSession();
  }, [refreshSession]);

  // A new fetcher makes GraphiQL introspect again, so the schema (and the explorer) follow
  // whoever is signed in.
  const sessionActor = session ? session.actor : '';
  const fetcher = useMemo(() => makeFetcher(apiKey), [apiKey, sessionActor]);
  const defaultTabs = useMemo(
    () => (operations.length ? operations.map((op) => ({ query: op.query })) : undefined),
    [],
  );

  return (
    <div className="portal-shell">
      <AccountBar
        session={session}
        checking={checking}
        apiKey={apiKey}
        onSignedIn={refreshSession}
        onSignOut={signOut}
        onApiKey={setApiKey}
      />
      <main className="portal-graphiql">
        {/* Mounted once we know who is signed in, so the first introspection is theirs. */}
        {checking ? null : (
          <GraphiQL
            fetcher={fetcher}
            plugins={plugins}
            defaultTabs={defaultTabs}
            shouldPersistHeaders={false}
          />
        )}
      </main>
    </div>
  );
}

createRoot(document.getElementById('portal-graphiql')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
