import type { FastifyRequest } from 'fastify';
import { VocableError, InvalidRequestError, PayloadTooLargeError } from '../errors.js';

export interface MultipartForm {
  /** Every value of each text field, in order (`timestamp_granularities[]` repeats). */
  fields: Map<string, string[]>;
  file?: { bytes: Buffer; filename: string };
}

/**
 * Reads a multipart/form-data body: text fields, and one file part named `fileField` held in
 * memory up to `maxBytes` (the multipart plugin stops reading past it). `onField` hears each
 * text field as it arrives; what it throws ends the reading, so a field sent before the file
 * (as OpenAI's SDKs send `model`) can refuse the request before the file is read.
 */
export async function readMultipartForm(request: FastifyRequest, fileField: string, maxBytes: number, onField?: (name: string, value: string) => void): Promise<MultipartForm> {
  if (!request.isMultipart()) {
    throw new InvalidRequestError(`Send the request as multipart/form-data with the audio in the "${fileField}" field`, fileField, 'invalid_content_type');
  }
  const form: MultipartForm = { fields: new Map() };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== fileField) throw new InvalidRequestError(`Unexpected file field '${part.fieldname}': send the audio as "${fileField}"`, part.fieldname);
        if (form.file) throw new InvalidRequestError(`Send one file in "${fileField}"`, fileField);
        form.file = { bytes: await part.toBuffer(), filename: part.filename };
      } else {
        // The parser cuts a value at its size limit without failing; a cut value is not what was sent.
        if (part.valueTruncated) throw new PayloadTooLargeError(`The form field "${part.fieldname}" is too long; send a shorter value`, part.fieldname);
        form.fields.set(part.fieldname, [...(form.fields.get(part.fieldname) ?? []), String(part.value)]);
        onField?.(part.fieldname, String(part.value));
      }
    }
  } catch (error) {
    const { code, statusCode } = error as { code?: string; statusCode?: number };
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new PayloadTooLargeError(`${fileField} is larger than ${(maxBytes / 1048576).toFixed(1)} MB; send a shorter or more compressed file`, fileField);
    }
    if (code === 'FST_FILES_LIMIT') throw new InvalidRequestError(`Send one file, in "${fileField}"`, fileField);
    if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') throw new PayloadTooLargeError('The form has too many fields; send only the documented ones');
    if (error instanceof VocableError || (statusCode !== undefined && statusCode < 500)) throw error;
    // The parser's own errors (no or wrong boundary, a body cut short) carry no status, but the body is at fault.
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidRequestError(`The multipart/form-data body could not be read (${reason}); send a well-formed form with a boundary`, null, 'invalid_multipart');
  }
  return form;
}
