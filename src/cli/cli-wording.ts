/**
 * The server's messages name HTTP fields and routes; on the command line the same advice names
 * flags and commands. Each rule rewrites one phrase of the API's wording into the CLI's.
 */
const REWRITES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\(vocable voices rm (\S+), or DELETE \/v1\/voices\/\S+\)/g, '(vocable voices rm $1)'],
  [/\bGET \/v1\/voices\b/g, 'vocable voices'],
  [/\bDELETE \/v1\/voices\/(\S+?)(?=[\s.,;)]|$)/g, 'vocable voices rm $1'],
  [/\bPOST \/v1\/voices\b/g, 'vocable voices add'],
  [/\bPOST \/v1\/models\/pull \{"model": "([^"]+)"\}/g, 'vocable pull $1'],
  [/\bGET \/v1\/models\b/g, 'vocable models'],
  [/\bGET \/v1\/catalogue\b/g, 'vocable models'],
  [/`vocable pull ([^`]+)` or vocable pull \1/g, '`vocable pull $1`'],
  [/\buse POST \/v1\/audio\/transcriptions\b/g, 'use vocable transcribe'],
  [/\buse POST \/v1\/audio\/speech\b/g, 'use vocable say'],
  [/\bPATCH \/v1\/voices\/(\S+) with \{"transcript": "\.\.\."\}/g, 'save it again (vocable voices rm $1, then vocable voices add $1 <clip> --transcript "...")'],
  [/\bsend ref_audio \(base64\)/g, 'pass --ref <clip>'],
  [/\bsend (?:the clip it transcribes as )?ref_audio\b/g, 'pass --ref <clip>'],
  [/\bsend ref_text\b/g, 'pass --ref-text'],
  [/\bspoken in ref_audio\b/g, 'spoken in the --ref clip'],
  [/\bref_audio\b/g, '--ref'],
  [/\bref_text\b/g, '--ref-text'],
  [/\bresponse_format\b/g, '--format'],
  [/\bstream_format\b/g, '--format'],
];

/** Parameters as the API names them, and the flag or argument that sets each on the command line. */
const PARAM_FLAGS: Readonly<Record<string, string>> = {
  model: '--model',
  voice: '--voice',
  speed: '--speed',
  input: 'the text',
  language: '--language',
  file: 'the audio file',
  name: 'the voice name',
  transcript: '--transcript',
};

/** A server message in the CLI's words, naming the flag behind the field the server names. */
export function inCliWords(message: string, param?: string | null): string {
  let text = REWRITES.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), message);
  const flag = param ? PARAM_FLAGS[param] : undefined;
  if (flag && param && flag.startsWith('--')) text = text.replace(new RegExp(`^${param}\\b`), flag);
  return text;
}
