// Type of the codec module as workerd (and wrangler's CompiledWasm rule) hands it to a worker.
declare module 'spanwire/codec.wasm' {
  const codec: WebAssembly.Module;
  export default codec;
}
