/** Emscripten's factory for Sonic compiled to WebAssembly; the module's functions are typed where it is used (audio/time-stretch.ts). */
declare module '@echogarden/sonic-wasm' {
  const createSonicModule: () => Promise<unknown>;
  export default createSonicModule;
}
