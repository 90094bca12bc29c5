// Takes docs/dashboard-session.png: the Orleans Dashboard's Grain Details page showing one session.
// Needs a running ./run.sh (which prints the URL and operator password), Debian's chromium and playwright-core:
//   npm install --no-save playwright-core@1
//   DASHBOARD_URL=http://127.0.0.1:8080/dashboard/ OPERATOR_PASSWORD=... SESSION_ID=demo-1 node docs/screenshot-dashboard.mjs
import { chromium } from 'playwright-core';

const url = process.env.DASHBOARD_URL ?? 'http://127.0.0.1:8080/dashboard/';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext({
  httpCredentials: { username: 'operator', password: process.env.OPERATOR_PASSWORD ?? '' },
  viewport: { width: 1400, height: 1150 },
});
const page = await context.newPage();
await page.goto(`${url}#/grainDetails`);
await page.waitForTimeout(2500);
await page.selectOption('select', 'OrleansRouting.Grains.SessionGrain');
await page.locator('input[type=text], input:not([type])').first().fill(process.env.SESSION_ID ?? 'demo-1');
await page.getByText('Show Details').click();
await page.waitForTimeout(2500);
await page.screenshot({ path: 'docs/dashboard-session.png' });
await browser.close();
