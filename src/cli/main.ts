import { Command, Option } from 'commander';
import { ConfigError } from '../config.js';
import { serve } from './serve.js';

const program = new Command('vocable').description('Vocable: a local, OpenAI-compatible speech server');

program
  .command('serve', { isDefault: true })
  .description('start the HTTP server')
  .addOption(new Option('--host <host>', 'address to listen on (VOCABLE_HOST, default 0.0.0.0)'))
  .addOption(new Option('--port <port>', 'port to listen on (VOCABLE_PORT, default 8000)'))
  .addOption(new Option('--models-dir <dir>', 'folder of model folders (VOCABLE_MODELS_DIR, default ./models)'))
  .addOption(new Option('--data-dir <dir>', 'saved voices and server state (VOCABLE_DATA_DIR, default ./data)'))
  .addOption(new Option('--ref-audio-dir <dir>', 'let ref_audio name files in this folder by path (VOCABLE_REF_AUDIO_DIR; off by default)'))
  .addOption(new Option('--memory-budget-bytes <n>', 'memory loaded models may use before the least recently used unloads (VOCABLE_MEMORY_BUDGET_BYTES, default half of RAM)'))
  .addOption(new Option('--idle-unload-seconds <n>', 'unload a model unused this long; 0 never (VOCABLE_IDLE_UNLOAD_SECONDS)'))
  .addOption(new Option('--api-key <key>', 'require "Authorization: Bearer <key>" on /v1 routes (VOCABLE_API_KEY)'))
  .addOption(new Option('--max-ref-audio-bytes <n>', 'largest ref_audio clip after base64 decoding (VOCABLE_MAX_REF_AUDIO_BYTES, default 20 MiB)'))
  .addOption(new Option('--max-upload-bytes <n>', 'largest audio upload for transcription (VOCABLE_MAX_UPLOAD_BYTES, default 25 MiB)'))
  .addOption(new Option('--max-input-chars <n>', 'longest speech input (VOCABLE_MAX_INPUT_CHARS, default 4096)'))
  .addOption(new Option('--max-queue <n>', 'requests allowed to wait per model (VOCABLE_MAX_QUEUE, default 16)'))
  .addOption(new Option('--num-threads <n>', 'ONNX Runtime threads per model (VOCABLE_NUM_THREADS, default 2)'))
  .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (VOCABLE_LOG_LEVEL)'))
  .action(async (options: Record<string, unknown>) => serve(options));

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`vocable: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
