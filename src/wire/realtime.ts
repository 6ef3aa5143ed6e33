/**
 * `GET /v1/realtime?intent=transcription`: the server events of an OpenAI Realtime API
 * transcription session, and the session as `session.created` / `session.updated` show it.
 */

/** The input formats (OpenAI's `RealtimeAudioFormats`): PCM is 16-bit little-endian mono at 24 kHz. */
export type InputAudioFormat = { type: 'audio/pcm'; rate: 24000 } | { type: 'audio/pcmu' } | { type: 'audio/pcma' };

export interface ServerVad {
  type: 'server_vad';
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
}

export interface TranscriptionSessionConfig {
  type: 'transcription';
  audio: {
    input: {
      format: InputAudioFormat;
      transcription: { model: string; language: string | null; prompt: string };
      turn_detection: ServerVad | null;
      noise_reduction: null;
    };
  };
  include: [];
}

export interface RealtimeErrorBody {
  type: string;
  code: string | null;
  message: string;
  param: string | null;
  /** The client event that caused it, when the client gave it an id. */
  event_id: string | null;
}

export type RealtimeServerEvent =
  | { type: 'session.created' | 'session.updated'; event_id: string; session: TranscriptionSessionConfig }
  | { type: 'input_audio_buffer.speech_started'; event_id: string; audio_start_ms: number; item_id: string }
  | { type: 'input_audio_buffer.speech_stopped'; event_id: string; audio_end_ms: number; item_id: string }
  | { type: 'input_audio_buffer.committed'; event_id: string; item_id: string; previous_item_id: string | null }
  | { type: 'input_audio_buffer.cleared'; event_id: string }
  | { type: 'conversation.item.input_audio_transcription.delta'; event_id: string; item_id: string; content_index: 0; delta: string }
  | {
      type: 'conversation.item.input_audio_transcription.completed';
      event_id: string;
      item_id: string;
      content_index: 0;
      transcript: string;
      usage: { type: 'duration'; seconds: number };
    }
  | { type: 'conversation.item.input_audio_transcription.failed'; event_id: string; item_id: string; content_index: 0; error: Omit<RealtimeErrorBody, 'event_id'> }
  | { type: 'error'; event_id: string; error: RealtimeErrorBody };
