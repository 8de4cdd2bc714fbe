/** The ids of the plugin's commands (see index.ts): every action of the sidebar is one. */
export namespace CommandIDs {
  export const open = 'expjournal:open';
  export const newHypothesis = 'expjournal:new-hypothesis';
  export const attach = 'expjournal:attach-cell';
  export const abandon = 'expjournal:abandon';
  export const lesson = 'expjournal:add-lesson';
  export const refresh = 'expjournal:refresh';
}
