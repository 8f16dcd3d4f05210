/**
 * Debian's Chromium (the `chromium` package, installed by scripts/test.sh) driven by playwright-core;
 * Playwright never downloads a browser of its own here.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { chromium, selectors, type Browser } from 'playwright-core';

import { REPO_DIR } from '../harness';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where scripts/test.sh logs its `apt-get install chromium`. */
export const CHROMIUM_INSTALL_LOG = path.join(REPO_DIR, '.tmp/test-logs/chromium-install.log');

/** Why the browser test cannot run here, or undefined when Chromium is installed. */
export function chromiumMissingReason(): string | undefined {
	if (existsSync(CHROMIUM_PATH)) return undefined;
	const log = existsSync(CHROMIUM_INSTALL_LOG) ? readFileSync(CHROMIUM_INSTALL_LOG, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
	return log
		? `${CHROMIUM_PATH} is missing: scripts/test.sh could not install Debian's chromium package; the end of ${CHROMIUM_INSTALL_LOG}:\n${log}`
		: `${CHROMIUM_PATH} is missing: install Debian's chromium package (apt-get install -y chromium; npm test does it) or set CHROMIUM_PATH`;
}

export async function launchChromium(): Promise<Browser> {
	// n8n's editor marks its elements with data-test-id (Playwright's default is data-testid).
	selectors.setTestIdAttribute('data-test-id');
	// --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
	return await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
