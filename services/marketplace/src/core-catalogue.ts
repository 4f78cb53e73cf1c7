/**
 * Modules shipped with WaddleBot (contracts §1 interaction services). Their `module_id` is the
 * service name, which is also the `module_name` of the registry rows the service seeds itself,
 * so router sync finds their commands there instead of registering copies.
 * community and identity are left out: turning them off would lock a community out of itself.
 */
export const CORE_MODULES = [
  {
    module_id: 'ai',
    display_name: 'AI Assistant',
    category: 'ai',
    tags: ['ai', 'chat'],
    description: 'Answers questions in chat with a language model',
  },
  {
    module_id: 'alias',
    display_name: 'Aliases',
    category: 'utility',
    tags: ['commands'],
    description: 'Custom command aliases',
  },
  {
    module_id: 'shoutout',
    display_name: 'Shoutouts',
    category: 'community',
    tags: ['twitch'],
    description: 'Shout out other streamers',
  },
  {
    module_id: 'inventory',
    display_name: 'Inventory',
    category: 'utility',
    tags: ['items'],
    description: 'Track items lent to community members',
  },
  {
    module_id: 'calendar',
    display_name: 'Calendar',
    category: 'community',
    tags: ['events'],
    description: 'Community events and reminders',
  },
  {
    module_id: 'memories',
    display_name: 'Memories',
    category: 'utility',
    tags: ['quotes', 'reminders'],
    description: 'Quotes, notes and reminders',
  },
  {
    module_id: 'youtube-music',
    display_name: 'YouTube Music',
    category: 'music',
    tags: ['music', 'youtube'],
    description: 'Song requests from YouTube',
  },
  {
    module_id: 'spotify',
    display_name: 'Spotify',
    category: 'music',
    tags: ['music', 'spotify'],
    description: 'Song requests and now playing from Spotify',
  },
] as const;

export const SEED_CATEGORIES = [
  {
    name: 'community',
    display_name: 'Community',
    description: 'Engage and organise your community',
    icon: 'users',
  },
  { name: 'utility', display_name: 'Utility', description: 'Handy tools for chat', icon: 'wrench' },
  { name: 'music', display_name: 'Music', description: 'Song requests and players', icon: 'music' },
  { name: 'ai', display_name: 'AI', description: 'Language models in chat', icon: 'robot' },
  { name: 'games', display_name: 'Games', description: 'Chat games', icon: 'dice' },
  { name: 'moderation', display_name: 'Moderation', description: 'Keep chat safe', icon: 'shield' },
] as const;
