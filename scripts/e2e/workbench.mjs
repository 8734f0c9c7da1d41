// What a person does and sees in the workbench, as page helpers: status bar, command palette, files, ghost text.

/** VS Code renders the inline part of a suggestion as `.ghost-text-decoration`, further lines in a `.ghost-text` zone. */
export const GHOST_TEXT = '.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text';

/** Ropewalk's status bar item: { icon, text, label } or undefined; icon is the codicon name (check, loading, error…). */
export async function ropewalkStatus(page) {
  return page.evaluate(() => {
    for (const item of document.querySelectorAll('.statusbar-item')) {
      const text = (item.textContent ?? '').trim();
      if (!/Ropewalk/.test(text)) continue;
      const icon = [...item.querySelectorAll('.codicon')]
        .flatMap((e) => [...e.classList])
        .find((c) => c.startsWith('codicon-') && !c.startsWith('codicon-modifier'));
      const label =
        item.querySelector('[aria-label]')?.getAttribute('aria-label') ??
        item.getAttribute('aria-label') ??
        '';
      return { icon: icon?.slice('codicon-'.length), text, label };
    }
    return undefined;
  });
}

/**
 * Waits until the model check finished: "✓ Ropewalk"; throws on its warning or error state, or on
 * timeout. With `showing`, the check mark's text must also include that (a model's or backend's name, a
 * figure): the renderer shows the extension's status updates some time after the log says they
 * happened, so a check mark still showing the previous model or request is waited past, not taken.
 */
export async function waitForModelReady(page, { timeoutMs = 120_000, showing } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await ropewalkStatus(page);
    if (last?.icon === 'check' && (showing === undefined || last.text.includes(showing)))
      return last;
    if (last?.icon === 'error' || last?.icon === 'warning') {
      throw new Error(
        `Ropewalk's status bar item shows ${last.icon}: '${last.label}' — the model check failed (see logs/)`,
      );
    }
    await page.waitForTimeout(250);
  }
  const wanted = showing === undefined ? 'the check mark' : `the check mark showing ${showing}`;
  throw new Error(
    last
      ? `Ropewalk's status bar item still shows '${last.icon ?? ''} ${last.text}' after ${timeoutMs / 1000} s, not ${wanted}`
      : `no Ropewalk status bar item after ${timeoutMs / 1000} s: the extension did not activate (see logs/)`,
  );
}

/** Runs a command by its title from the command palette, as a person would. */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  try {
    await row.waitFor({ state: 'visible', timeout: 10_000 });
  } catch (cause) {
    throw new Error(`the command palette does not offer '${title}'`, { cause });
  }
  await input.press('Enter');
}

/** Opens a workspace file through Quick Open and puts the cursor in its editor. */
export async function openFile(page, relPath) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(relPath);
  const name = relPath.split('/').pop();
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: name })
    .first()
    .waitFor({ timeout: 10_000 });
  await input.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 10_000 });
  const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await editor.click();
}

/** The ghost text on screen now, spaces as spaces: { inline, lines } or undefined when there is none. */
export async function readGhostText(page) {
  return page.evaluate(() => {
    const clean = (s) => (s ?? '').replace(/\u00a0/g, ' ');
    const inline = [...document.querySelectorAll('.monaco-editor .ghost-text-decoration')]
      .map((e) => clean(e.textContent))
      .join('');
    const lines = [...document.querySelectorAll('.monaco-editor .ghost-text')].flatMap((zone) =>
      [...zone.querySelectorAll('.view-line')].map((l) => clean(l.textContent)),
    );
    return inline || lines.length ? { inline, lines } : undefined;
  });
}

/** Polls the DOM for ghost text; resolves with it and the ms since `since`, or undefined after timeoutMs. */
export async function waitForGhostText(page, timeoutMs, pollMs = 10, since = performance.now()) {
  const found = await page
    .waitForFunction((sel) => document.querySelector(sel) !== null, GHOST_TEXT, {
      timeout: timeoutMs,
      polling: pollMs,
    })
    .then(
      () => true,
      () => false,
    );
  if (!found) return undefined;
  const ms = performance.now() - since;
  return { ms, ghost: await readGhostText(page) };
}
