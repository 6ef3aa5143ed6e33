import type { FastifyRequest } from 'fastify';
import { InvalidRequestError, PayloadTooLargeError } from '../errors.js';

export interface MultipartForm {
  /** Every value of each text field, in order (`timestamp_granularities[]` repeats). */
  fields: Map<string, string[]>;
  file?: { bytes: Buffer; filename: string };
}

/**
 * Reads a multipart/form-data body: text fields, and one file part named `fileField` held in
 * memory up to `maxBytes` (the multipart plugin stops reading past it).
 */
export async function readMultipartForm(request: FastifyRequest, fileField: string, maxBytes: number): Promise<MultipartForm> {
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
        form.fields.set(part.fieldname, [...(form.fields.get(part.fieldname) ?? []), String(part.value)]);
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new PayloadTooLargeError(`${fileField} is larger than ${(maxBytes / 1048576).toFixed(1)} MB; send a shorter or more compressed file`, fileField);
    }
    throw error;
  }
  return form;
}
