import type { Page } from 'playwright-core';

// Everything the bench asks of the extension's background, in one place: the runtime
// messages its own pages send (src/shared/messages.ts). When the wallet or popup changes
// those names or shapes, this file is the one to update.

/** The popup's first useful content: what the user opened it to see. */
/** Set by the popup once its first real screen (status, setup or unlock) is painted. */
export const POPUP_READY_SELECTOR = 'body[data-ready="1"]';

type Answer<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

declare const chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };

/** Sends a request from an extension page, as the popup does, and unwraps the answer. */
export async function ask<T>(page: Page, request: Record<string, unknown>): Promise<T> {
  const answer = (await page.evaluate((r) => chrome.runtime.sendMessage(r), request)) as Answer<T>;
  if (!answer.ok) throw new Error(`${request.type}: ${answer.error.name}: ${answer.error.message}`);
  return answer.value;
}

export async function createWallet(page: Page, password: string): Promise<{ mainAddress: string; stakingAddress: string }> {
  const created = await ask<{ status: { mainAddress: string; stakingAddress: string } }>(page, { type: 'wallet.create', password });
  return created.status;
}

/** Asks to stake on a task and approves it, as the user does in the popup. */
export async function joinTask(page: Page, taskId: string, stakeKoii: string): Promise<void> {
  const { approvalId } = await ask<{ approvalId: string }>(page, { type: 'node.join', taskId, stake: stakeKoii });
  // An approval is bound to what was shown: the decision carries the digest of that view.
  const shown = (await ask<{ id: string; digest: string }[]>(page, { type: 'approvals.list' })).find((a) => a.id === approvalId);
  if (!shown) throw new Error(`approval ${approvalId} is not pending`);
  await ask(page, { type: 'approvals.decide', id: approvalId, approve: true, digest: shown.digest });
}

/** Opts a site in (a development build already holds 127.0.0.1's host permission). */
export async function optIn(page: Page, origin: string): Promise<void> {
  await ask(page, { type: 'sites.add', origin });
}

/** When the background last started: a change means the worker was restarted. */
export async function backgroundStartedAt(page: Page): Promise<number> {
  return (await ask<{ startedAt: number }>(page, { type: 'status' })).startedAt;
}
