import { describe, expect, it } from 'vitest';
import { AppError, formatPath } from './errors';

describe('formatPath', () => {
  it('renders array indexes in brackets and properties with dots', () => {
    expect(formatPath(['imp', 0, 'banner', 'format', 2, 'w'])).toBe('imp[0].banner.format[2].w');
  });
  it('names the root when the whole document is wrong', () => {
    expect(formatPath([])).toBe('(root)');
  });
});

describe('AppError', () => {
  it('carries the status from the error table and exposes the first path', () => {
    const err = new AppError('invalid_request', 'bad', [
      { path: 'imp', message: 'required' },
      { path: 'id', message: 'required' },
    ]);
    expect(err.status).toBe(400);
    expect(err.toJSON()).toEqual({
      error: {
        code: 'invalid_request',
        status: 400,
        message: 'bad',
        path: 'imp',
        issues: [
          { path: 'imp', message: 'required' },
          { path: 'id', message: 'required' },
        ],
      },
    });
  });
});
