/** audio-type ships no types: it names an audio file's container from its first bytes. */
declare module 'audio-type' {
  export default function audioType(bytes: Uint8Array): string | undefined;
}
