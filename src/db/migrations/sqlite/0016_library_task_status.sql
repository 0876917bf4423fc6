-- The library task (integrity check, sync) that runs or last ran, kept by the node running it so that
-- every node of a cluster shows it. One row; `state` is the task's state as JSON.
CREATE TABLE library_task_status (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  state TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
