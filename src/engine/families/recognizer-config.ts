import type { OfflineRecognizerConfig } from '../../native/sherpa.js';

/** The parts of an OfflineRecognizer config every speech-to-text family shares: 16 kHz, 80 mel bins. */
export function recognizerConfig(model: Record<string, unknown>, tokens: string, numThreads: number, featureDim = 80): OfflineRecognizerConfig {
  return {
    featConfig: { sampleRate: 16000, featureDim },
    modelConfig: { ...model, tokens, numThreads, debug: 0, provider: 'cpu' },
  };
}
