// Single sign-on in headless Chromium against a real OpenID Connect provider: `oidc-provider`
// from the npm registry, started here on loopback with pushed authorization requests
// required, PKCE required and the client authenticating with a signed assertion
// (private_key_jwt), as HelseID asks. Samspill runs as its own process with SAMSPILL_OIDC_*.
//
// A worker signs in through the provider and sees her start page; logging out ends the
// provider's session too; someone the provider knows but Samspill does not gets the
// "no access yet" page and no patient data, and waits for the administrator; the provider
// rotating its signing key does not break sign-in. axe-core checks every Samspill page.
//
//   SAMSPILL_SERVER_BIN=target/debug/samspill node tests/browser/sso.mjs

import { chromium } from "playwright-core";
import Provider from "oidc-provider";
import { spawn, execFileSync } from "node:child_process";
import { generateKeyPairSync, createPublicKey } from "node:crypto";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

const server = process.env.SAMSPILL_SERVER_BIN ?? "target/debug/samspill";
const password = "nettleser-test-passord";
const providerPort = Number(process.env.SAMSPILL_TEST_OIDC_PORT ?? 8130);
const appPort = Number(process.env.SAMSPILL_TEST_SSO_PORT ?? 8131);
const issuer = `http://127.0.0.1:${providerPort}`;
const app = `http://127.0.0.1:${appPort}`;
const axeSource = readFileSync(process.env.SAMSPILL_AXE ?? "node_modules/axe-core/axe.min.js", "utf8");
const artifacts = process.env.ARTIFACTS ?? "target/browser-artifacts";
mkdirSync(artifacts, { recursive: true });

// The client's key pair: Samspill signs with the private key (PKCS#1 PEM), the provider
// knows the public one.
const clientKeyFile = new URL("../fixtures/oidc-client.pem", import.meta.url).pathname;
const clientJwk = createPublicKey(readFileSync(clientKeyFile)).export({ format: "jwk" });
const signingKey = (kid) => ({
  ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }),
  kid,
  use: "sig",
  alg: "RS256",
});

const people = { "kari.nordmann": "Kari Nordmann", "ukjent.person": "Ukjent Person" };

function startProvider(key) {
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "samspill",
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_signing_alg: "RS256",
        jwks: { keys: [clientJwk] },
        redirect_uris: [`${app}/login/sso/callback`],
        post_logout_redirect_uris: [`${app}/login?reason=ended`],
        response_types: ["code"],
        grant_types: ["authorization_code"],
      },
    ],
    jwks: { keys: [key] },
    features: {
      devInteractions: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      rpInitiatedLogout: { enabled: true },
    },
    pkce: { required: () => true },
    // The profile's name and e-mail in the ID token itself, as Entra ID and HelseID give them.
    conformIdTokenClaims: false,
    claims: { openid: ["sub"], profile: ["name"], email: ["email"] },
    cookies: { keys: ["test-cookie-key-that-protects-nothing"] },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, name: people[sub] ?? sub, email: `${sub}@kommune.no` };
        },
      };
    },
  });
  return new Promise((resolve) => {
    const listening = provider.listen(providerPort, "127.0.0.1", () => resolve(listening));
  });
}

// Samspill on a fresh demo database (SQLite, or the PostgreSQL database named by
// SAMSPILL_JOURNEY_DATABASE_URL), with single sign-on configured.
const dir = mkdtempSync(join(tmpdir(), "samspill-sso-"));
const databaseUrl = process.env.SAMSPILL_JOURNEY_DATABASE_URL ?? `sqlite://${dir}/sso.db?mode=rwc`;
console.log(`single sign-on journey on ${databaseUrl.split(":")[0]}`);
const env = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  ROCKET_SECRET_KEY: process.env.ROCKET_SECRET_KEY ?? "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==", // a test key
  SAMSPILL_PASSWORD: password,
  SAMSPILL_PUBLIC_URL: app,
  SAMSPILL_OIDC_ISSUER: issuer,
  SAMSPILL_OIDC_CLIENT_ID: "samspill",
  SAMSPILL_OIDC_CLIENT_KEY_FILE: clientKeyFile,
  SAMSPILL_OIDC_DISPLAY_NAME: "Kommunens innlogging",
  SAMSPILL_OIDC_PENDING_ACCOUNTS: "true",
  ROCKET_PORT: String(appPort),
  ROCKET_LOG_LEVEL: "off",
  SAMSPILL_LOG: "warn",
};
execFileSync(server, ["demo-data", "--patients", "30", "--seed", "5"], { env, stdio: "ignore" });
const samspill = spawn(server, ["serve"], { env, cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
let providerServer = await startProvider(signingKey("key-a"));
for (let i = 0; i < 200; i++) {
  try {
    if ((await fetch(`${app}/healthz`)).ok) break;
  } catch {}
  await new Promise((r) => setTimeout(r, 50));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const checked = new Set();
let failures = 0;

async function axe(page, label) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  checked.add(new URL(page.url()).pathname);
  await page.screenshot({ path: `${artifacts}/sso-${label.replace(/[^a-z0-9]+/gi, "-")}.png`, fullPage: true });
  if (result.violations.length > 0) {
    failures += 1;
    const name = `${artifacts}/sso-${label.replace(/[^a-z0-9]+/gi, "-")}`;
    await page.screenshot({ path: `${name}.png`, fullPage: true });
    writeFileSync(`${name}.axe.json`, JSON.stringify(result.violations, null, 2));
    console.error(`axe: ${result.violations.length} violation(s) on ${page.url()} (${label})`);
    for (const v of result.violations) console.error(`  ${v.id}: ${v.help}`);
  }
}

/** From Samspill's login page through the provider's login and consent, back to Samspill. */
async function signIn(page, who) {
  await page.goto(`${app}/login`);
  await axe(page, "login with provider");
  let at = null;
  const seen = (request) => {
    if (request.url().startsWith(`${issuer}/auth`)) at ??= new URL(request.url());
  };
  page.on("request", seen);
  await Promise.all([page.waitForURL(`${issuer}/**`), page.getByRole("link", { name: "Logg inn med Kommunens innlogging" }).click()]);
  page.off("request", seen);
  await page.locator('input[name="login"]').fill(who);
  await page.locator('input[name="password"]').fill("hva-som-helst");
  await Promise.all([page.waitForNavigation(), page.locator("button[type=submit]").click()]);
  if (await page.locator('input[name="prompt"][value="consent"]').count()) {
    await Promise.all([page.waitForURL(`${app}/**`), page.locator("button[type=submit]").click()]);
  }
  await page.waitForURL((url) => url.origin === app && !url.pathname.startsWith("/login/sso"), { timeout: 10000 }).catch(() => {});
  return at;
}

async function step(name, body) {
  try {
    await body();
    console.log(`ok: ${name}`);
  } catch (e) {
    failures += 1;
    console.error(`FAILED: ${name}: ${e.message}`);
  }
}

const context = await browser.newContext({ bypassCSP: true });
const page = await context.newPage();

await step("the administrator links the worker's account to her identity at the provider", async () => {
  await page.goto(`${app}/login`);
  await page.locator("#username").fill("admin");
  await page.locator("#password").fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Logg inn", exact: true }).click()]);
  await page.goto(`${app}/admin/sso`);
  await axe(page, "admin sso");
  await page.getByLabel("Konto").selectOption({ label: "Test ansatt1 (ansatt1)" }).catch(async () => {
    const options = await page.getByLabel("Konto").locator("option").allTextContents();
    const match = options.find((o) => o.includes("(ansatt1)"));
    await page.getByLabel("Konto").selectOption({ label: match });
  });
  await page.getByLabel("Identitet hos Kommunens innlogging").fill("kari.nordmann");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Knytt kontoen" }).click()]);
  assert.match(await page.locator("body").innerText(), /kan nå logge inn med Kommunens innlogging/);
  await axe(page, "admin sso linked");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Logg ut" }).click()]);
});

await step("a worker signs in through the provider (PAR, PKCE, private_key_jwt) and sees her start page", async () => {
  const at = await signIn(page, "kari.nordmann");
  assert.deepEqual([...at.searchParams.keys()].sort(), ["client_id", "request_uri"]);
  assert.equal(new URL(page.url()).pathname, "/today", page.url());
  await axe(page, "start page after sign-in");
  assert.match(await page.locator("h1").innerText(), /I dag/);
});

await step("logging out ends the provider's session too and comes back to the login page", async () => {
  await Promise.all([page.waitForURL(`${issuer}/**`), page.getByRole("button", { name: "Logg ut" }).click()]);
  // The provider asks whether to sign out there as well.
  await Promise.all([page.waitForURL(`${app}/login**`), page.locator('button[autofocus], button[type=submit]').first().click()]);
  assert.match(await page.locator("body").innerText(), /Logg inn i Samspill/);
  const patients = await page.goto(`${app}/patients`);
  assert.equal(new URL(patients.url()).pathname, "/login");
});

await step("someone the provider knows but Samspill does not gets no access and waits for the administrator", async () => {
  const stranger = await browser.newContext({ bypassCSP: true });
  const p = await stranger.newPage();
  await signIn(p, "ukjent.person");
  assert.match(await p.locator("h1").innerText(), /Du har ikke tilgang ennå — kontakt administrator/);
  await axe(p, "no access yet");
  const patients = await p.goto(`${app}/patients`);
  assert.equal(new URL(patients.url()).pathname, "/login");
  await stranger.close();
  await page.goto(`${app}/login`);
  await page.locator("#username").fill("admin");
  await page.locator("#password").fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Logg inn", exact: true }).click()]);
  await page.goto(`${app}/admin/sso`);
  assert.match(await page.locator("body").innerText(), /Ukjent Person/);
  await page.getByRole("link", { name: /Behandle/ }).first().click();
  await page.waitForLoadState();
  await axe(page, "pending account");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Logg ut" }).click()]);
});

await step("the provider rotating its signing key does not break sign-in", async () => {
  await new Promise((r) => providerServer.close(r));
  providerServer = await startProvider(signingKey("key-b"));
  const fresh = await browser.newContext({ bypassCSP: true });
  const p = await fresh.newPage();
  await signIn(p, "kari.nordmann");
  assert.equal(new URL(p.url()).pathname, "/today", p.url());
  await fresh.close();
});

await browser.close();
samspill.kill();
providerServer.close();
console.log(`axe checked ${checked.size} distinct pages`);
if (failures > 0) {
  console.error(`${failures} failure(s)`);
  process.exit(1);
}
process.exit(0);
