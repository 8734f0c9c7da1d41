// The prompt templates, most specific first: the first whose markers the vocabulary has is its family's.

import { codegemmaTemplate } from './codegemma';
import { codellamaTemplate } from './codellama';
import { deepseekCoderTemplate } from './deepseek-coder';
import { fimKeysTemplate } from './fim-keys';
import { prefixOnlyTemplate } from './prefix-only';
import type {
  BoundTemplate,
  FimOrder,
  PromptTemplate,
  TemplateLayout,
  TemplateVocab,
} from './prompt-template';
import { qwenCoderTemplate } from './qwen-coder';
import { ropewalkTemplate } from './ropewalk';
import { starcoder2Template } from './starcoder2';

export const PROMPT_TEMPLATES = [
  ropewalkTemplate,
  qwenCoderTemplate,
  starcoder2Template,
  codegemmaTemplate,
  deepseekCoderTemplate,
  codellamaTemplate,
  fimKeysTemplate,
  prefixOnlyTemplate,
] as const satisfies readonly PromptTemplate[];

export type TemplateFamily = (typeof PROMPT_TEMPLATES)[number]['family'];

export class UnsupportedOrderError extends Error {
  override readonly name = 'UnsupportedOrderError';
}

/** The family's template of a vocabulary (undefined never: prefix-only matches any). */
export function templateOf(v: TemplateVocab): (typeof PROMPT_TEMPLATES)[number] {
  return PROMPT_TEMPLATES.find((t) => t.matches(v)) ?? prefixOnlyTemplate;
}

const bound = new WeakMap<TemplateVocab, Map<string, BoundTemplate>>();

/**
 * The template of a vocabulary, bound to its ids; made once per tokenizer and order. `order` defaults
 * to the one the family is trained on (SPM for Ropewalk's models); an order it was not trained on is
 * refused.
 */
export function templateFor(v: TemplateVocab, order?: FimOrder): BoundTemplate {
  const t = templateOf(v);
  const orders: readonly FimOrder[] = t.orders;
  const o = order ?? orders[0] ?? 'psm';
  if (!orders.includes(o))
    throw new UnsupportedOrderError(
      `${t.label} prompts are ${t.orders.join(' or ').toUpperCase()}, not ${o.toUpperCase()}`,
    );
  let byOrder = bound.get(v);
  if (!byOrder) {
    byOrder = new Map<string, BoundTemplate>();
    bound.set(v, byOrder);
  }
  let b = byOrder.get(o);
  if (!b) {
    const layout: TemplateLayout = t.bind(v, o);
    const shown = t.family === 'prefix-only' ? 'prefix-only' : o;
    b = {
      ...layout,
      family: t.family,
      label: t.label,
      source: t.source,
      order: shown,
      summary: `${t.label} prompt format (${shown === 'prefix-only' ? 'prefix only' : shown.toUpperCase()}; repository: ${layout.repository})`,
    };
    byOrder.set(o, b);
  }
  return b;
}

export * from './prompt-template';
