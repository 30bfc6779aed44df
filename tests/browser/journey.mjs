// End-to-end journeys in headless Chromium (Debian's package) driven by playwright-core, with
// axe-core's WCAG 2.1 A and AA rules run on every page visited: zero violations, asserted.
// On failure a screenshot and the axe report are saved in $ARTIFACTS.
//
//   node tests/browser/journey.mjs http://127.0.0.1:8123   (scripts/test starts the server)
//
// Accounts come from `samspill demo-data` with the password in SAMSPILL_PASSWORD.

import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import assert from "node:assert/strict";

const base = process.argv[2] ?? "http://127.0.0.1:8123";
const password = process.env.SAMSPILL_PASSWORD;
const axeSource = readFileSync(process.env.SAMSPILL_AXE ?? "node_modules/axe-core/axe.min.js", "utf8");
const artifacts = process.env.ARTIFACTS ?? "target/browser-artifacts";
mkdirSync(artifacts, { recursive: true });
assert.ok(password, "SAMSPILL_PASSWORD must be set");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const checked = new Set();
let failures = 0;

/** Runs axe on the page; records a screenshot and the report when it finds violations. */
async function axe(page, label) {
  const path = new URL(page.url()).pathname;
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  checked.add(path);
  if (result.violations.length > 0) {
    failures += 1;
    const name = `${artifacts}/${label.replace(/[^a-z0-9]+/gi, "-")}`;
    await page.screenshot({ path: `${name}.png`, fullPage: true });
    writeFileSync(`${name}.axe.json`, JSON.stringify(result.violations, null, 2));
    console.error(`axe: ${result.violations.length} violation(s) on ${path} (${label}):`);
    for (const v of result.violations) console.error(`  ${v.id}: ${v.help} (${v.nodes.length} nodes)`);
  }
}

/** Goes to `path`, expects 200 and checks the page. */
async function visit(page, path, label) {
  const response = await page.goto(base + path);
  assert.equal(response.status(), 200, `${path} answers ${response.status()}`);
  await axe(page, label ?? path);
}

/** Submits the form that `button` belongs to and checks the page it leads to. */
async function submit(page, button, label) {
  await Promise.all([page.waitForNavigation(), page.locator(button).first().click()]);
  const errors = await page.locator(".error-summary").count();
  if (errors > 0) {
    await page.screenshot({ path: `${artifacts}/${label}-form.png`, fullPage: true });
    assert.fail(`${label}: the form came back with errors: ${await page.locator(".error-summary").innerText()}`);
  }
  await axe(page, label);
}

async function login(page, username, { keyboard = false } = {}) {
  await visit(page, "/login", "login");
  if (keyboard) {
    // Tab from the top of the page to the username field, type, Tab, type, Enter.
    await page.keyboard.press("Tab");
    let guard = 0;
    while ((await page.evaluate(() => document.activeElement?.id)) !== "username" && guard++ < 30) {
      await page.keyboard.press("Tab");
    }
    assert.equal(await page.evaluate(() => document.activeElement?.id), "username", "Tab reaches the username");
    await page.keyboard.type(username);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "password");
    await page.keyboard.type(password);
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  } else {
    await page.fill("#username", username);
    await page.fill("#password", password);
    await Promise.all([page.waitForNavigation(), page.click("#main form button[type=submit]")]);
  }
  assert.ok(!page.url().includes("/login"), `${username} is logged in (at ${page.url()})`);
}

const today = new Date();
const fmt = (d) => `${String(d.getDate()).padStart(2, "0")}.${String(d.getMonth() + 1).padStart(2, "0")}.${d.getFullYear()}`;
const inDays = (n) => fmt(new Date(today.getTime() + n * 86400000));
const stamp = Date.now().toString(36);

// --- The manager's numbers before the worker starts.
const managerContext = await browser.newContext({ bypassCSP: true });
const manager = await managerContext.newPage();
await login(manager, "leder1");
await visit(manager, "/dashboard", "dashboard-before");
const patientsBefore = Number(
  (await manager.locator("tr.total td").first().innerText()).trim().split(" ")[0],
);

// --- A new worker: log in with the keyboard alone.
const workerContext = await browser.newContext({ acceptDownloads: true, bypassCSP: true });
const worker = await workerContext.newPage();
await login(worker, "ansatt1", { keyboard: true });
await axe(worker, "start");
await visit(worker, "/patients", "patients");

// Register a patient.
await visit(worker, "/patients/new", "patient-new");
const patientName = `Åsmund Ødegård ${stamp}`;
await worker.fill("#full_name", patientName);
await worker.fill("#birth_date", "05.11.1941");
await worker.fill("#services", "Hjemmesykepleie morgen og kveld");
await submit(worker, "#main form button[type=submit]", "patient-created");
const patientPath = new URL(worker.url()).pathname;
assert.match(patientPath, /^\/patients\/\d+$/);

// Three relatives; the first with the keyboard alone (Tab, Space, Enter).
await visit(worker, `${patientPath}/relatives/new`, "relative-new");
await worker.focus("#full_name");
await worker.keyboard.type("Bjørg Ærø");
await worker.keyboard.press("Tab"); // relation select
await worker.keyboard.press("ArrowDown"); // first relation in the list
const focusOn = async (id) => {
  let guard = 0;
  while ((await worker.evaluate(() => document.activeElement?.id)) !== id && guard++ < 80) {
    await worker.keyboard.press("Tab");
  }
  assert.equal(await worker.evaluate(() => document.activeElement?.id), id, `Tab reaches #${id}`);
};
/** Tabs into the radio group `name`, then moves with the arrow keys to `value`. */
const choose = async (name, value) => {
  let guard = 0;
  while ((await worker.evaluate(() => document.activeElement?.name)) !== name && guard++ < 80) {
    await worker.keyboard.press("Tab");
  }
  guard = 0;
  while ((await worker.evaluate(() => document.activeElement?.id)) !== `${name}-${value}` && guard++ < 10) {
    await worker.keyboard.press("ArrowDown");
  }
  await worker.keyboard.press("Space");
  assert.ok(await worker.isChecked(`#${name}-${value}`), `${name} ${value} chosen with the keyboard`);
};
await choose("age_group", "adult");
await choose("involvement", "yes");
await choose("consent_scope", "full");
await focusOn("consent_on");
await worker.keyboard.type(fmt(today));
await focusOn("consent_how");
await worker.keyboard.type("Muntlig");
await Promise.all([worker.waitForNavigation(), worker.keyboard.press("Enter")]);
if (await worker.locator(".error-summary").count()) assert.fail(`keyboard-only relative: ${await worker.locator(".error-summary").innerText()}`);
await axe(worker, "relative-saved");

async function relative(name, extra) {
  await visit(worker, `${patientPath}/relatives/new`, "relative-new");
  await worker.fill("#full_name", name);
  await worker.selectOption("#relation", extra.relation);
  await worker.check(`#involvement-${extra.involvement}`);
  await worker.check(extra.child ? "#age_group-child" : "#age_group-adult");
  await worker.check("#consent_scope-full");
  await worker.fill("#consent_on", fmt(today));
  await worker.fill("#consent_how", "Muntlig");
  await submit(worker, "#main form button[type=submit]", `relative-${extra.relation}`);
}
await relative("Kåre Ødegård", { relation: "sibling", involvement: "yes" });
await relative("Lille Ødegård", { relation: "grandchild", involvement: "no", child: true });

// Map the first relative.
await visit(worker, patientPath, "patient");
await Promise.all([worker.waitForNavigation(), worker.getByRole("link", { name: "Bjørg Ærø" }).first().click()]);
await axe(worker, "relative");
const relativePath = new URL(worker.url()).pathname;
await visit(worker, `${relativePath}/mappings/new`, "mapping-new");
await worker.fill("#mapped_on", fmt(today));
await worker.fill("#hours_per_week", "25");
await worker.fill("#what_matters", "Å få sove om natten");
for (let i = 0; i < 13; i++) await worker.check(`input[name=s${i}][value="${i < 8 ? 1 : 0}"]`);
await worker.check("#violence-no");
await submit(worker, "#main form button[type=submit]", "mapping-saved");

// A first meeting, completed with a follow-up.
await visit(worker, `${patientPath}/meetings/new`, "meeting-new");
await worker.check("input[name=relative_ids] >> nth=0");
await worker.fill("#minutes", "Gikk gjennom situasjonen, rettigheter og tilbud.");
await worker.check("#informed_rights");
await worker.fill("#next_due", inDays(14));
await worker.fill("#next_concerns", "Ringe om avlastning");
await submit(worker, "button[value=complete]", "meeting-completed");

// Steps and lists.
for (const step of ["identify", "map", "involve", "support"]) {
  await visit(worker, `${patientPath}/steps/${step}`, `step-${step}`);
}
// Identification asks whether the patient has minor children or siblings.
await visit(worker, `${patientPath}/steps/identify`, "step-identify");
await worker.check("#minor_children-yes");
await submit(worker, "form[action$='/children'] button[type=submit]", "children-answered");
await visit(worker, "/followups", "followups");
await visit(worker, "/today", "today");
await visit(worker, "/today/patients", "today-patients");
await visit(worker, "/followups/children", "followups-children");

// The grandson's follow-up as a child relative (§ 10 a), from the task on the worker's list.
await Promise.all([
  worker.waitForNavigation(),
  worker.locator("a[href$='/child-followup']", { hasText: "Lille Ødegård" }).first().click(),
]);
await axe(worker, "child-followup");
await worker.check("#informed-yes");
await worker.fill("#follower", "Helsesykepleier ved skolen");
await worker.check("#concern-no");
await worker.check("#care_tasks-no");
await submit(worker, "#main form button[type=submit]", "child-followup-saved");

// Write and sign an agreement with Bjørg.
await visit(worker, `${relativePath}`, "relative-again");
await Promise.all([worker.waitForNavigation(), worker.getByRole("link", { name: /Ny pårørendeavtale med/ }).click()]);
await axe(worker, "agreement-new");
await worker.check("#capacity-can_consent");
await worker.fill("#service_relative", "Faste samtaler med kontaktpersonen.");
await submit(worker, "#main form button[type=submit]", "agreement-draft");
await worker.fill("#patient_signed_on", fmt(today));
await submit(worker, "text=Registrer signaturer og aktiver avtalen", "agreement-signed");
assert.ok((await worker.content()).includes("Aktiv"), "the agreement is active");
const agreementPath = new URL(worker.url()).pathname;
await visit(worker, `${agreementPath}/versions/1`, "agreement-version");

// Download the PDF and find the relative's name in its text.
const pdf = await worker.request.get(`${base}${agreementPath}/pdf`);
assert.equal(pdf.status(), 200);
assert.equal(pdf.headers()["content-type"], "application/pdf");
writeFileSync(`${artifacts}/agreement.pdf`, await pdf.body());
const text = execFileSync("pdftotext", ["-enc", "UTF-8", `${artifacts}/agreement.pdf`, "-"]).toString("utf8");
assert.ok(text.replace(/\s+/g, " ").includes("Lille Ødegård (barnebarn): oppfølging etter helsepersonelloven § 10 a er registrert"), "the children's section states the recorded follow-up");
assert.ok(text.includes("Bjørg Ærø"), "the PDF names the relative");
assert.ok(text.includes(patientName), "the PDF names the patient");

// --- Bjørg's own copy carries her feedback address; she answers on her phone, not logged in.
const relativeId = relativePath.split("/").pop();
const own = await worker.request.get(`${base}${agreementPath}/pdf?recipient=party-${relativeId}`);
assert.equal(own.status(), 200);
writeFileSync(`${artifacts}/agreement-relative.pdf`, await own.body());
const ownText = execFileSync("pdftotext", ["-enc", "UTF-8", `${artifacts}/agreement-relative.pdf`, "-"]).toString("utf8");
const feedbackPath = ownText.match(/\/t\/[0-9A-Z]{4}(?:-[0-9A-Z]{1,4}){6}/)?.[0];
assert.ok(feedbackPath, "the relative's copy prints her own feedback address");
const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
const phone = await phoneContext.newPage();
await visit(phone, feedbackPath, "feedback-form");
assert.ok(!(await phone.content()).includes(patientName), "the feedback form shows no patient");
// With the keyboard alone: Tab into each question, Space chooses 1 and the arrow keys move on
// to 4 (relief on to "would rather not answer"), Tab to the next; then the text and Enter.
const questions = ["respect", "information", "contact", "asked", "views", "relief", "offers", "overall"];
await phone.focus(`#${questions[0]}-1`);
for (const q of questions) {
  assert.equal(await phone.evaluate(() => document.activeElement?.name), q, `Tab reaches ${q}`);
  await phone.keyboard.press("Space");
  for (let i = 0; i < (q === "relief" ? 5 : 3); i++) await phone.keyboard.press("ArrowDown");
  await phone.keyboard.press("Tab");
}
assert.equal(await phone.evaluate(() => document.activeElement?.id), "improve", "Tab reaches the text");
await phone.keyboard.type("Mer tid til samtaler");
await phone.keyboard.press("Tab");
await Promise.all([phone.waitForNavigation(), phone.keyboard.press("Enter")]);
if (await phone.locator(".error-summary").count()) assert.fail(`keyboard-only feedback: ${await phone.locator(".error-summary").innerText()}`);
await axe(phone, "feedback-thanks");
assert.ok((await phone.content()).includes("Takk for at du svarte!"), "the answer is thanked for");
const again = await phone.goto(base + feedbackPath);
assert.equal(again.status(), 410, "a used link takes no second answer");
assert.ok((await phone.content()).includes("Denne lenken er allerede brukt."));
await axe(phone, "feedback-used");
await phoneContext.close();

// --- The manager sees the change.
await visit(manager, "/dashboard", "dashboard-after");
assert.ok(
  (await manager.locator("#feedback-caption").count()) === 1,
  "the dashboard has the relatives' feedback",
);
const patientsAfter = Number((await manager.locator("tr.total td").first().innerText()).trim().split(" ")[0]);
assert.equal(patientsAfter, patientsBefore + 1, "the dashboard counts the new patient");
await visit(manager, "/dashboard/list/followups?filter=overdue", "oversight");
await visit(manager, "/dashboard/list/followups?filter=needs_owner", "oversight-needs-owner");
// The early warnings: each number on the dashboard opens its list, without JavaScript.
for (const filter of ["silent", "unmet_needs", "consent_due", "contact_gone"]) {
  await visit(manager, `/dashboard/list/warnings?filter=${filter}`, `warnings-${filter}`);
  assert.ok(
    /\d+ treff per/.test(await manager.locator("main").innerText()),
    `the ${filter} list counts its rows`,
  );
}
await visit(manager, "/dashboard/list/agreements?filter=behind_rhythm", "warnings-behind-rhythm");
await manager.goto(new URL("/dashboard", base).href);
await manager.locator("#warnings-caption").scrollIntoViewIfNeeded();
const silentLink = manager.locator("table:has(#warnings-caption) tr.total td a").first();
const silentCount = (await silentLink.innerText()).trim().split(/\s/)[0];
await silentLink.click();
assert.ok(
  (await manager.locator("main").innerText()).includes(`${silentCount} treff per`),
  "the silent list has as many rows as the dashboard says",
);
await visit(manager, "/audit", "audit");
await visit(manager, "/audit/refused", "audit-refused");

// --- An administrator adds a user and an offer.
const adminContext = await browser.newContext({ bypassCSP: true });
const admin = await adminContext.newPage();
await login(admin, "admin");
await visit(admin, "/admin", "admin");
await visit(admin, "/admin/security", "security-events");
// A worker's page offers the hand-over of what they hold before deactivation (counts only).
await visit(admin, "/admin/users", "users");
const ansatt1 = await admin.locator("tr", { hasText: "ansatt1" }).locator("a").first().getAttribute("href");
await visit(admin, ansatt1, "user-handover");
assert.ok((await admin.content()).includes("Overlevering"), "the worker's page offers a hand-over");
await visit(admin, "/admin/users/new", "user-new");
await admin.fill("#username", `ny${stamp}`);
await admin.fill("#name", "Nora Nyansatt");
await admin.check("#role-worker");
await admin.selectOption("#unit_id", { index: 1 });
await admin.fill("#password", "et-langt-passord-2026");
await submit(admin, "#main form button[type=submit]", "user-created");
await visit(admin, "/admin/offers/new", "offer-new");
await admin.fill("#name", `Pårørendekafé ${stamp}`);
await admin.fill("#provider", "Frivilligsentralen");
await admin.check("#kind-voluntary");
await admin.selectOption("#need", { index: 1 });
await submit(admin, "#main form button[type=submit]", "offer-created");
await visit(admin, "/admin/offers", "offers");
assert.ok((await admin.content()).includes(`Pårørendekafé ${stamp}`));

// Public pages.
const anon = await (await browser.newContext({ bypassCSP: true })).newPage();
await visit(anon, "/tilgjengelighet", "accessibility-statement");
await anon.goto(base + "/login");
assert.ok((await anon.content()).includes('href="/tilgjengelighet"'), "the footer links the statement");

await browser.close();
console.log(`axe checked ${checked.size} distinct pages: ${failures === 0 ? "no violations" : `${failures} page(s) with violations`}`);
if (failures > 0) process.exit(1);
console.log("browser journeys passed");
