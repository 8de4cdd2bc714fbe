/** The ids of the plugin's commands (see index.ts): every action of the sidebar is one. */
export namespace CommandIDs {
  export const open = 'expjournal:open';
  export const newHypothesis = 'expjournal:new-hypothesis';
  export const attach = 'expjournal:attach-cell';
  export const retro = 'expjournal:retro';
  export const abandon = 'expjournal:abandon';
  export const addLearning = 'expjournal:add-learning';
  export const lesson = 'expjournal:add-lesson';
  export const openOrigin = 'expjournal:open-origin';
  export const refresh = 'expjournal:refresh';
}
