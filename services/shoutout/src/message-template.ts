export interface TemplateValues {
  display_name: string;
  login: string;
  game_name: string | null;
  title: string | null;
  viewer_count: number | null;
  description: string | null;
}

export const DEFAULT_TEMPLATES = {
  live: '{display_name} is live right now with {game_name} for {viewer_count} viewers: twitch.tv/{login}',
  offlineWithGame: 'Check out {display_name} at twitch.tv/{login}, last seen streaming {game_name}!',
  noGame: 'Check out {display_name} at twitch.tv/{login}, a great creator to follow!',
} as const;

export const CHAT_LIMIT = 450;
const MISSING_GAME = 'something awesome';

/** A saved community template must name the creator and their channel. */
export function templateProblem(template: string): string | null {
  if (!template.includes('{display_name}') || !template.includes('{login}'))
    return 'must contain {display_name} and {login}';
  return null;
}

export interface TemplateChoice {
  customMessage: string | null;
  templateLive: string | null;
  templateOffline: string | null;
}

/** Per-user message, then the community template for the live state, then the defaults. */
export function chooseTemplate(
  choice: TemplateChoice,
  values: Pick<TemplateValues, 'game_name'>,
  live: boolean,
): string {
  if (choice.customMessage) return choice.customMessage;
  if (live) return choice.templateLive ?? DEFAULT_TEMPLATES.live;
  if (choice.templateOffline) return choice.templateOffline;
  return values.game_name ? DEFAULT_TEMPLATES.offlineWithGame : DEFAULT_TEMPLATES.noGame;
}

/** One pass over whole placeholders; unknown ones stay literal (the original raised on them). */
export function renderTemplate(template: string, values: TemplateValues): string {
  const game = values.game_name ?? MISSING_GAME;
  const known: Record<string, string> = {
    display_name: values.display_name,
    username: values.display_name,
    login: values.login,
    game_name: game,
    game,
    title: values.title ?? '',
    viewer_count: String(values.viewer_count ?? 0),
    description: values.description ?? '',
  };
  const text = template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => known[key] ?? whole);
  return text.length <= CHAT_LIMIT ? text : `${text.slice(0, CHAT_LIMIT - 1)}…`;
}
