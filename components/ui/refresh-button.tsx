"use client";

import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "./button";

/** Refresh: reads the lists under `queryKey` again now; pending until they answered, whatever they answered. */
export function RefreshButton({ queryKey }: { queryKey: QueryKey }) {
  const client = useQueryClient();
  const [refreshing, setRefreshing] = useState(false);
  const refresh = async () => {
    setRefreshing(true);
    try {
      await client.invalidateQueries({ queryKey });
    } finally {
      setRefreshing(false);
    }
  };
  return (
    <Button size="md" onClick={() => void refresh()} pending={refreshing} pendingLabel="Refreshing…">
      Refresh
    </Button>
  );
}
