-- civicmon schema (SQLite): the terms of the full-text index.
--
-- update_search_terms lists the tokens update_search holds, with the number
-- of updates that hold each. A search that matched nothing asks it which of
-- the words one letter from the reader's are in the index (typo tolerance);
-- PostgreSQL asks its GIN index the same question.
CREATE VIRTUAL TABLE update_search_terms USING fts5vocab('update_search', 'row');
