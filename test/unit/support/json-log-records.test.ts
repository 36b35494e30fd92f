import { jsonLogRecords } from '../../e2e/support/regauth-process.js';

describe('jsonLogRecords', () => {
  test('parses each complete JSON line and leaves out a last line still being written', () => {
    const logs = '{"message":"a"}\n{"message":"b","n":2}\n{"message":"c","path":"/to';
    expect(jsonLogRecords(logs)).toEqual([{ message: 'a' }, { message: 'b', n: 2 }]);
  });

  test('skips lines that are not JSON objects, such as a stack trace', () => {
    expect(jsonLogRecords('Error: boom\n    at main (x.js:1)\n{"message":"after"}\n42\n')).toEqual([{ message: 'after' }]);
  });
});
