import { randomInt } from 'node:crypto';

/** 32 symbols without 0/O/1/I (core-and-admin §3.2). */
export const VERIFICATION_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generateVerificationCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += VERIFICATION_ALPHABET[randomInt(VERIFICATION_ALPHABET.length)];
  return code;
}

/** What a user typed, as it is stored: trimmed and upper-cased. */
export function normaliseCode(input: string): string {
  return input.trim().toUpperCase();
}
