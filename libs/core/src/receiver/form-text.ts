import type { Reply } from '../contracts/messages.js';

export type FormReply = Extract<Reply, { type: 'form' }>;

/**
 * A form as plain text, for platforms or moments where no native form can open
 * (router-and-receivers §2.3): title, description, one line per field, then the submit URL.
 */
export function renderFormText(form: FormReply): string {
  const lines = [form.title];
  if (form.description) lines.push(form.description);
  for (const field of form.fields) {
    const options = field.options?.map((o) => (typeof o === 'string' ? o : o.label)).join(', ');
    lines.push(
      `• ${field.label} (${field.type})${field.required ? ' *' : ''}${options ? `: ${options}` : ''}`,
    );
  }
  const url = form.submit_url ?? form.callback_url;
  if (url) lines.push(`Submit: ${url}`);
  return lines.join('\n');
}
