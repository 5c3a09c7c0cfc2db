// The Frodo library (`@rockcarver/frodo-lib` on npm) against the generated
// Ping server, served by `serve_interop` on loopback.
//
//     node frodo.js http://127.0.0.1:PORT
//
// Frodo reads a user's MFA devices when it exports the user: one
// `GET .../users/{id}/devices/2fa/{binding,oath,push,webauthn}?_queryFilter=true`
// each, realm path `/realms/root/realms/alpha`, `Accept-API-Version:
// protocol=2.0,resource=1.0`. It authenticates with a bearer token or with
// the tenant's session cookie; both are run. Each run checks what Frodo
// exported and what the implementation received (`GET /_interop/calls`).
// Prints one line per check and `N passed, M failed`; exits non-zero on
// any failure.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { frodo } = require('@rockcarver/frodo-lib');

// The package exports only its entry point; its version is beside it.
const entry = require.resolve('@rockcarver/frodo-lib');
const { version } = JSON.parse(
  fs.readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8'),
);

// mfa_tests::stand_in
const ACCESS_TOKEN = 'ping-access-token';
const COOKIE_NAME = '6ac6499e9da2071';
const SSO_TOKEN = 'AQIC5w-interop-session';
const USER = 'user-1';
const KINDS = ['binding', 'oath', 'push', 'webauthn'];
const LISTS = {
  binding: 'listBoundDevices',
  oath: 'listOathDevices',
  push: 'listPushDevices',
  webauthn: 'listWebAuthnDevices',
};

let passed = 0;
let failed = 0;

function check(what, got, expected) {
  try {
    assert.deepStrictEqual(got, expected);
    passed += 1;
    console.log(`ok - ${what}`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${what}\n${error.message}`);
  }
}

async function received(base) {
  const response = await fetch(`${base}/_interop/calls`);
  return response.json();
}

/** A Frodo instance for the stand-in tenant, authenticated by `mode`. */
function instance(base, mode) {
  const tenant = {
    host: `${base}/am`,
    realm: 'alpha',
    deploymentType: 'cloud',
    useTokenCache: false,
  };
  const expires = Date.now() + 3600 * 1000;
  if (mode === 'bearer') {
    return frodo.createInstance({
      ...tenant,
      useBearerTokenForAmApis: true,
      bearerToken: { access_token: ACCESS_TOKEN, expires_in: 3600, expires },
    });
  }
  return frodo.createInstance({
    ...tenant,
    useBearerTokenForAmApis: false,
    cookieName: COOKIE_NAME,
    userSessionToken: { tokenId: SSO_TOKEN, successUrl: '', realm: '/alpha', expires },
  });
}

async function run(base, mode, caller) {
  await received(base); // start from nothing
  let exported;
  try {
    exported = await instance(base, mode).user.exportUser(USER);
  } catch (error) {
    check(`${mode}: exportUser succeeds`, `${error.message}`, 'no error');
    return;
  }
  const devices = exported.user[USER].config.devices['2fa'];
  for (const kind of KINDS) {
    check(
      `${mode}: Frodo exported the ${kind} device the server listed`,
      (devices[kind] || []).map((device) => device._id),
      [`${kind}-${USER}`],
    );
  }
  const calls = await received(base);
  check(
    `${mode}: the implementation received one list per device kind`,
    calls.map((call) => call.operation).sort(),
    KINDS.map((kind) => LISTS[kind]).sort(),
  );
  for (const call of calls) {
    check(`${mode}: ${call.operation} as Frodo sent it, from ${caller.scheme}`, call, {
      operation: call.operation,
      caller,
      input: {
        realm: ['root', 'alpha'],
        user: USER,
        query_filter: 'true',
        accept_api_version: 'protocol=2.0,resource=1.0',
      },
    });
  }
}

async function main() {
  const base = process.argv[2];
  console.log(`# @rockcarver/frodo-lib ${version} (node ${process.version}) against ${base}/am/json`);
  await run(base, 'bearer', { scheme: 'bearerAuth', subject: 'admin-by-token' });
  await run(base, 'session cookie', { scheme: 'ssoCookie', subject: 'admin-by-session' });
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
