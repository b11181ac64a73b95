import { describe, expect, it } from 'vitest';
import { isEmptyMessage } from '../../../../renderer/lib/composer-fields.ts';

const empty = { account_id: 'a', to: [], cc: [], bcc: [], subject: '', text: '', attachments: [] };

describe('an empty message', () => {
  it('is one with nothing a person would miss', () => {
    expect(isEmptyMessage(empty)).toBe(true);
    expect(isEmptyMessage({ ...empty, subject: '  ', text: '\n' })).toBe(true);
  });
  it('is not one with a recipient, a word, or an attachment', () => {
    expect(isEmptyMessage({ ...empty, to: ['b@example.com'] })).toBe(false);
    expect(isEmptyMessage({ ...empty, text: 'hi' })).toBe(false);
    expect(isEmptyMessage({ ...empty, attachments: [{ filename: 'a.txt', data_base64: '' }] })).toBe(false);
  });
});
