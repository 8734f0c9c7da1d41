// The HTTP APIs Ropewalk speaks to inference servers, as typed messages: only the fields it sends or
// reads. Sources: llama.cpp tools/server/README.md and server-task.cpp (llama-server), OpenAI's
// legacy completions API as vLLM documents it (docs.vllm.ai, "OpenAI-Compatible Server"), ollama's
// docs/api.md.

// --- llama-server ---

/** POST /infill: llama-server lays the prompt out itself with the model's FIM and file tokens. */
export interface LlamaInfillRequest {
  input_prefix: string;
  input_suffix: string;
  /** Repository files, laid out before the cursor's file with the model's file-separator token. */
  input_extra: { filename: string; text: string }[];
  n_predict: number;
  stop: string[];
  stream: boolean;
  cache_prompt: boolean;
  temperature: number;
  /** Reply with the timings (prompt_n, cache_n) in the final message. */
  timings_per_token?: boolean;
}

/** POST /completion: a raw prompt, as text or token ids. */
export interface LlamaCompletionRequest {
  prompt: string | number[];
  n_predict: number;
  stop: string[];
  stream: boolean;
  cache_prompt: boolean;
  temperature: number;
}

/** server-task.cpp result_timings::to_json. */
export interface LlamaTimings {
  /** Prompt tokens taken from the slot's cache. */
  cache_n?: number;
  /** Prompt tokens evaluated by this request. */
  prompt_n: number;
  prompt_ms: number;
  predicted_n: number;
  predicted_ms: number;
}

/** One streamed message of /completion and /infill (`data: {…}`), or the whole non-streamed reply. */
export interface LlamaCompletionChunk {
  content: string;
  stop: boolean;
  tokens?: number[];
  /** On the final message: 'eos', 'word', 'limit', 'none'. */
  stop_type?: 'none' | 'eos' | 'limit' | 'word';
  stopping_word?: string;
  tokens_evaluated?: number;
  tokens_cached?: number;
  truncated?: boolean;
  timings?: LlamaTimings;
}

/** POST /tokenize. */
export interface LlamaTokenizeRequest {
  content: string;
  add_special: boolean;
  parse_special: boolean;
  with_pieces: boolean;
}
export interface LlamaTokenizeResponse {
  tokens: (number | { id: number; piece: string | number[] })[];
}

/** GET /props (the fields read). */
export interface LlamaProps {
  model_path?: string;
  default_generation_settings?: { n_ctx?: number };
  build_info?: string;
}

// --- OpenAI-style /v1/completions (vLLM, llama-server, TGI, LM Studio, …) ---

export interface OpenAiCompletionRequest {
  model?: string;
  /** Text, or token ids (vLLM and llama-server accept an array of integers). */
  prompt: string | number[];
  max_tokens: number;
  temperature: number;
  stop?: string[];
  stream: boolean;
  stream_options?: { include_usage: boolean };
}

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

/** A streamed chunk (`data: {…}`, then `data: [DONE]`) or the whole reply. */
export interface OpenAiCompletionChunk {
  choices: { text: string; index: number; finish_reason: 'stop' | 'length' | null }[];
  usage?: OpenAiUsage | null;
  /** llama-server adds its own timings to the final chunk. */
  timings?: LlamaTimings;
}

/**
 * vLLM's POST /tokenize (not part of OpenAI's API; absent on most other servers). llama-server serves a
 * /tokenize of its own that reads `content` and answers without `count`: the text goes under both names.
 */
export interface VllmTokenizeRequest {
  model?: string;
  prompt: string;
  content: string;
  add_special_tokens: boolean;
}
export interface VllmTokenizeResponse {
  tokens: unknown[];
  count?: number;
  max_model_len?: number;
}

/** An OpenAI-style error body: `{error: {message, type, code}}` (vLLM: `{object: 'error', message}`). */
export interface OpenAiErrorBody {
  error?: { message?: string; type?: string; code?: number | string } | string;
  message?: string;
}

// --- ollama ---

/** POST /api/generate with raw: no template of ollama's, the prompt as Ropewalk built it. */
export interface OllamaGenerateRequest {
  model: string;
  prompt: string;
  raw: true;
  stream: boolean;
  options: { num_predict: number; temperature: number; stop?: string[] };
}

/** One NDJSON line of /api/generate. */
export interface OllamaGenerateChunk {
  response: string;
  done: boolean;
  /** 'stop', 'length', or another reason ollama adds ('load', 'unload'). */
  done_reason?: string;
  /** Prompt tokens evaluated (ollama does not report cache hits separately). */
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
  error?: string;
}

/** POST /api/show with verbose: the GGUF metadata, the vocabulary included. */
export interface OllamaShowRequest {
  model: string;
  verbose: boolean;
}
export interface OllamaShowResponse {
  details?: { family?: string };
  /** The Modelfile's PARAMETER lines, e.g. `num_ctx 8192\nstop "<|endoftext|>"`. */
  parameters?: string;
  model_info?: Record<string, unknown> & {
    'general.architecture'?: string;
    'tokenizer.ggml.tokens'?: string[];
  };
}
