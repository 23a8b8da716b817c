import { describe, expect, it } from 'vitest';
import { explainStorageError, StorageError } from '../src/lib/storage/db';

describe('storage failures', () => {
  it('explains a full quota and says nothing stored was changed', () => {
    const err = explainStorageError(new DOMException('quota', 'QuotaExceededError'), 'dataset "em 64px"');
    expect(err).toBeInstanceOf(StorageError);
    expect(err.message).toMatch(/^Storage is full while saving dataset "em 64px"\. Nothing already stored was changed\./);
    expect(err.message).toContain('Storage panel');
  });

  it('explains a lost blob file and any other failure', () => {
    expect(explainStorageError(new DOMException('gone', 'NotReadableError'), 'model 1').message).toMatch(/missing on disk/);
    expect(explainStorageError(new Error('disk on fire'), 'run 2').message).toBe('Could not save run 2: disk on fire');
  });
});
