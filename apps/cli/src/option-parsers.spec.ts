import { Command } from 'commander';
import { integerOption, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './option-parsers';

describe('CLI option parsers', () => {
  it('take decimal integers within their bounds', () => {
    expect(positiveInt('--devices')('50')).toBe(50);
    expect(positiveInt('--devices')(' 7 ')).toBe(7);
    expect(nonNegativeInt('--margin')('0')).toBe(0);
    expect(integerOption('--seed', 0, 2 ** 31)(String(2 ** 31))).toBe(2 ** 31);
    expect(integerOption('--offset', -5)('-5')).toBe(-5);
  });

  it('refuse anything else, naming the option, what it takes and the value given', () => {
    expect(() => positiveInt('--devices')('0')).toThrow('--devices must be a positive integer, got "0"');
    expect(() => positiveInt('--devices')('2.5')).toThrow('--devices must be a positive integer, got "2.5"');
    expect(() => nonNegativeInt('--margin')('-1')).toThrow('--margin must be a non-negative integer, got "-1"');
    expect(() => integerOption('--runs', 1, 100_000)('100001')).toThrow(
      '--runs must be an integer from 1 to 100000, got "100001"',
    );
    expect(() => integerOption('--offset', -5)('-6')).toThrow('--offset must be an integer of at least -5, got "-6"');
    // What Number() alone would have let through.
    for (const sneaky of ['', ' ', '0x10', '1e3', '12abc', '9007199254740993'])
      expect(() => nonNegativeInt('--max-bytes')(sneaky)).toThrow(
        `--max-bytes must be a non-negative integer, got ${JSON.stringify(sneaky)}`,
      );
  });

  it('take finite numbers above 0, or from 0, for the number options', () => {
    expect(positiveNumber('--speed')('0.5')).toBe(0.5);
    expect(nonNegativeNumber('--min-accuracy')('0')).toBe(0);
    expect(() => positiveNumber('--speed')('0')).toThrow('--speed must be a positive number, got "0"');
    expect(() => positiveNumber('--speed')('Infinity')).toThrow('--speed must be a positive number, got "Infinity"');
    expect(() => nonNegativeNumber('--frames-per-day')('')).toThrow(
      '--frames-per-day must be a non-negative number, got ""',
    );
    expect(() => nonNegativeNumber('--frames-per-day')('-0.1')).toThrow(
      '--frames-per-day must be a non-negative number, got "-0.1"',
    );
  });

  it('stop a commander command with that message', async () => {
    const seen: number[] = [];
    const program = new Command()
      .exitOverride()
      .option('--devices <n>', 'number of nodes', positiveInt('--devices'))
      .action((opts: { devices: number }) => void seen.push(opts.devices));
    await program.parseAsync(['--devices', '12'], { from: 'user' });
    expect(seen).toEqual([12]);
    await expect(program.parseAsync(['--devices', 'many'], { from: 'user' })).rejects.toThrow(
      '--devices must be a positive integer, got "many"',
    );
  });
});
