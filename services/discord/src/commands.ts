/** The application commands `POST /discord/commands/sync` installs (§6.1 slash mapping). */
export const APPLICATION_COMMANDS = [
  {
    name: 'waddlebot',
    description: 'WaddleBot',
    type: 1,
    options: [
      { type: 1, name: 'help', description: 'List the commands available here' },
      { type: 1, name: 'status', description: 'Is WaddleBot running in this server?' },
    ],
  },
  {
    name: 'command',
    description: 'Run a WaddleBot command',
    type: 1,
    options: [
      { type: 3, name: 'name', description: 'Command name, e.g. so', required: true, autocomplete: true },
      { type: 3, name: 'args', description: 'Arguments', required: false },
    ],
  },
];
