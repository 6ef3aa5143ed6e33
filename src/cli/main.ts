import { Command, Option } from 'commander';
import { ConfigError } from '../config.js';
import { ApiError } from '../errors.js';
import { modelsCommand } from './models.js';
import { pullCommand } from './pull.js';
import { serve } from './serve.js';

const program = new Command('vocable').description('Vocable: a local, OpenAI-compatible speech server');

const modelsDirOption = () => new Option('--models-dir <dir>', 'folder of model folders (VOCABLE_MODELS_DIR, default ./models)');
const catalogueOption = () => new Option('--catalogue <file>', 'JSON file of extra catalogue entries (VOCABLE_CATALOGUE)');

program
  .command('serve', { isDefault: true })
  .description('start the HTTP server')
  .addOption(new Option('--host <host>', 'address to listen on (VOCABLE_HOST, default 0.0.0.0)'))
  .addOption(new Option('--port <port>', 'port to listen on (VOCABLE_PORT, default 8000)'))
  .addOption(modelsDirOption())
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
  .addOption(new Option('--offline', 'never download: skip pulling the default models into an empty models folder (VOCABLE_OFFLINE=1)'))
  .addOption(catalogueOption())
  .action(async (options: Record<string, unknown>) => serve(options));

program
  .command('pull')
  .description('download catalogue models into the models folder (resumes an interrupted download; checks size and SHA-256)')
  .argument('<id...>', 'catalogue ids, as `vocable models` lists them')
  .addOption(modelsDirOption())
  .addOption(catalogueOption())
  .action(async (ids: string[], options: Record<string, unknown>) => pullCommand(ids, options));

program
  .command('models')
  .description('list installed models, and the catalogue models that can be pulled')
  .addOption(modelsDirOption())
  .addOption(catalogueOption())
  .option('--json', 'print JSON instead of a table')
  .action(async ({ json, ...options }: Record<string, unknown>) => modelsCommand(options, json === true));

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof ApiError) {
    console.error(`vocable: ${error.message}`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  console.error(error);
  process.exit(1);
});
