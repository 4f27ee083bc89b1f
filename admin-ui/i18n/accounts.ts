// Settings, the user's own password, and user management for administrators.
import { area } from './languages.js';

export const accounts = area(
  {
    settingsTitle: 'Settings',
  },
  {
    de: {
      settingsTitle: 'Einstellungen',
    },
    el: {
      settingsTitle: 'Ρυθμίσεις',
    },
    it: {
      settingsTitle: 'Impostazioni',
    },
    ro: {
      settingsTitle: 'Setări',
    },
    bg: {
      settingsTitle: 'Настройки',
    },
  },
);
